using ResNetSharp.Common;
using ResNetSharp.Imaging;

namespace ResNetSharp.Data.Images;

/// <summary>
/// The files of an image folder: one sub-folder per class (sorted by name, as torchvision's
/// ImageFolder does), image files inside, found recursively.
/// </summary>
public sealed class ImageFolderIndex
{
    /// <summary>Class names, by index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Every image with its class index, sorted by class then path.</summary>
    public IReadOnlyList<(string Path, int Label)> Samples { get; }

    /// <summary>The root folder.</summary>
    public string Root { get; }

    private ImageFolderIndex(string root, IReadOnlyList<string> classNames, IReadOnlyList<(string, int)> samples)
    {
        Root = root;
        ClassNames = classNames;
        Samples = samples;
    }

    /// <summary>Scans <paramref name="root"/>; an empty class folder or a root without class folders is an error.</summary>
    public static ImageFolderIndex Scan(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder not found: {root}");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(name => !name.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
            throw new InvalidDataException($"{root}: no class folders (expected one sub-folder per class, e.g. {root}/cat/1.jpg).");
        var samples = new List<(string, int)>();
        for (int label = 0; label < classes.Count; label++)
        {
            string folder = Path.Combine(root, classes[label]);
            var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => ImageDecoder.Extensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new InvalidDataException(
                    $"{folder}: empty class folder (no {string.Join(", ", ImageDecoder.Extensions.Order())} files).");
            samples.AddRange(files.Select(f => (f, label)));
        }
        return new ImageFolderIndex(root, classes, samples);
    }

    /// <summary>The same folder with only its first <paramref name="count"/> samples (0: all of them).</summary>
    public ImageFolderIndex Take(int count) =>
        count <= 0 || count >= Samples.Count ? this : new ImageFolderIndex(Root, ClassNames, Samples.Take(count).ToList());

    /// <summary>All image files in a folder (recursively, sorted), for prediction and embedding; no classes.</summary>
    public static IReadOnlyList<string> ListImages(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder not found: {folder}");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageDecoder.Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new InvalidDataException($"{folder}: no image files.");
    }
}
