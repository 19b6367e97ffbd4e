using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Image files and their targets (on the CPU): an image folder's or a manifest's contents, before any pixel is read.</summary>
/// <param name="Root">The folder or manifest, for messages.</param>
/// <param name="Paths">Image files, by sample.</param>
/// <param name="Columns">The label columns.</param>
/// <param name="Targets">Each column's targets (see <see cref="LabelKind"/>), CPU tensors owned by this list.</param>
public sealed record ImageFileList(string Root, IReadOnlyList<string> Paths, IReadOnlyList<LabelColumn> Columns,
    IReadOnlyDictionary<string, Tensor> Targets) : IDisposable
{
    /// <summary>An image folder: one class column named <see cref="InMemoryImageSet.ClassColumn"/>.</summary>
    public static ImageFileList FromFolder(ImageFolderIndex index) => new(index.Root, index.Samples.Select(s => s.Path).ToList(),
        [LabelColumn.Classes(InMemoryImageSet.ClassColumn, index.ClassNames)],
        new Dictionary<string, Tensor> { [InMemoryImageSet.ClassColumn] = tensor(index.Samples.Select(s => (long)s.Label).ToArray()) });

    /// <summary>A CSV manifest's images and columns.</summary>
    public static ImageFileList FromManifest(ImageManifest manifest) => new(manifest.Path, manifest.ImagePaths,
        manifest.Columns.Select(c => c.IsClass ? LabelColumn.Classes(c.Name, c.ClassNames) : LabelColumn.Values(c.Name)).ToList(),
        manifest.Columns.ToDictionary(c => c.Name, c => c.IsClass ? tensor(c.Classes!) : Column(c.Values!)));

    private static Tensor Column(double[] values)
    {
        using var flat = tensor(values.Select(v => (float)v).ToArray());
        return flat.view(-1, 1);
    }

    /// <summary>The first <paramref name="count"/> samples (0: all).</summary>
    public ImageFileList Take(int count)
    {
        if (count <= 0 || count >= Paths.Count)
            return this;
        var taken = this with { Paths = Paths.Take(count).ToList(), Targets = Targets.ToDictionary(t => t.Key, t => t.Value.narrow(0, 0, count).clone()) };
        Dispose();
        return taken;
    }

    /// <summary>The targets of the samples at <paramref name="rows"/>, on <paramref name="device"/>.</summary>
    public Dictionary<string, Tensor> Select(IReadOnlyList<long> rows, Device device)
    {
        using var selection = tensor(rows.ToArray());
        return Targets.ToDictionary(t => t.Key, t =>
        {
            using var selected = t.Value.index_select(0, selection);
            return selected.to(device);
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var target in Targets.Values)
            target.Dispose();
    }
}
