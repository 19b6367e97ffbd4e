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

    /// <summary>
    /// Scans <paramref name="root"/>; an empty class folder or a root without class folders is an error.
    /// With <paramref name="classNames"/> (a validation split scanned against its training split's classes),
    /// each class folder gets the label of its name in that list, and a folder whose name is not in it is
    /// an error: labels follow names, never positions.
    /// </summary>
    public static ImageFolderIndex Scan(string root, IReadOnlyList<string>? classNames = null)
    {
        var folders = ClassFolderNames(root);
        if (folders.Count == 0)
            throw new InvalidDataException($"{root}: no class folders (expected one sub-folder per class, e.g. {root}/cat/1.jpg).");
        var classes = classNames ?? folders;
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Count; i++)
            labels.TryAdd(classes[i], i);
        var samples = new List<(string, int)>();
        foreach (var name in folders)
        {
            if (!labels.TryGetValue(name, out int label))
                throw new InvalidDataException(
                    $"{Path.Combine(root, name)}: class '{name}' is not one of the {classes.Count} training classes ({Listing(classes)}); " +
                    "validation class folders are matched to training's by name.");
            string folder = Path.Combine(root, name);
            var files = FolderWalk.RegularFiles(folder, IsImage);
            if (files.Count == 0)
                throw new InvalidDataException(
                    $"{folder}: empty class folder (no {string.Join(", ", ImageDecoder.Extensions.Order())} files).");
            files.Sort(StringComparer.Ordinal);
            samples.AddRange(files.Select(f => (f, label)));
        }
        samples.Sort((a, b) => a.Item2 != b.Item2 ? a.Item2.CompareTo(b.Item2) : StringComparer.Ordinal.Compare(a.Item1, b.Item1));
        return new ImageFolderIndex(root, classes, samples);
    }

    /// <summary>The class folders of <paramref name="root"/>, sorted by name (hidden folders left out).</summary>
    public static IReadOnlyList<string> ClassFolderNames(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder not found: {root}");
        return FolderWalk.SubfolderNames(root).Where(name => !name.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
    }

    private static bool IsImage(string path) => ImageDecoder.Extensions.Contains(Path.GetExtension(path));

    private static string Listing(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(10)) + (names.Count > 10 ? ", …" : "");

    /// <summary>The same folder with only its first <paramref name="count"/> samples (0: all of them).</summary>
    public ImageFolderIndex Take(int count) =>
        count <= 0 || count >= Samples.Count ? this : new ImageFolderIndex(Root, ClassNames, Samples.Take(count).ToList());

    /// <summary>
    /// All image files in a folder (recursively, sorted), for prediction and embedding; no classes. Links
    /// to folders are followed once; FIFOs and devices are left out.
    /// </summary>
    public static IReadOnlyList<string> ListImages(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder not found: {folder}");
        var files = FolderWalk.RegularFiles(folder, IsImage);
        files.Sort(StringComparer.Ordinal);
        return files.Count > 0 ? files : throw new InvalidDataException($"{folder}: no image files.");
    }
}
