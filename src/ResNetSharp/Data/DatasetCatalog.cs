using ResNetSharp.Common;

namespace ResNetSharp.Data;

/// <summary>The datasets the tools know by name.</summary>
public static class DatasetCatalog
{
    private static readonly Dictionary<string, MnistFamily> Mnist = new(StringComparer.Ordinal)
    {
        ["fashion-mnist"] = MnistFamily.FashionMnist,
        ["mnist"] = MnistFamily.Mnist,
    };

    /// <summary>Known dataset names.</summary>
    public static IReadOnlyList<string> Names => Mnist.Keys.ToList();

    /// <summary>Finds and loads one split of a named dataset onto the CPU.</summary>
    public static ImageDataset Load(string name, DatasetSplit split, string? dataDir = null, bool verifyContent = false)
    {
        if (!Mnist.TryGetValue(name, out var family))
        {
            var close = CloseMatches.Find(name, Names);
            throw new KeyNotFoundException($"Unknown dataset '{name}'; " +
                (close.Count > 0 ? $"did you mean {string.Join(", ", close)}?" : $"known: {string.Join(", ", Names)}."));
        }
        var (images, labels) = MnistFamily.FileStems(split);
        bool HasFiles(string folder) =>
            new[] { images, labels }.All(stem => File.Exists(Path.Combine(folder, stem + ".gz")) || File.Exists(Path.Combine(folder, stem)));
        string howToGet = name == "fashion-mnist"
            ? "Install Debian's dataset-fashion-mnist package, or put the four IDX files (.gz or raw) in one of those folders."
            : "Put the four IDX files (.gz or raw) in one of those folders.";
        string folder = DatasetLocator.Find(name, dataDir, HasFiles, howToGet);
        return family.Load(folder, split, verifyContent);
    }
}
