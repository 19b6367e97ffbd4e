using ResNetSharp.Common;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;

namespace ResNetSharp.Data;

/// <summary>The datasets the tools know by name, plus image folders given by path.</summary>
public static class DatasetCatalog
{
    private static readonly Dictionary<string, MnistFamily> Mnist = new(StringComparer.Ordinal)
    {
        ["fashion-mnist"] = MnistFamily.FashionMnist,
        ["mnist"] = MnistFamily.Mnist,
    };

    private static readonly Dictionary<string, Cifar> CifarSets = new(StringComparer.Ordinal)
    {
        ["cifar-10"] = Cifar.Cifar10,
        ["cifar-100"] = Cifar.Cifar100,
    };

    /// <summary>Known dataset names.</summary>
    public static IReadOnlyList<string> Names => [.. Mnist.Keys, .. CifarSets.Keys];

    /// <summary>Split folder names tried for image folders, per split.</summary>
    private static readonly string[] TrainFolders = ["train"];
    private static readonly string[] TestFolders = ["val", "test", "validation"];

    /// <summary>
    /// Finds and loads one split onto the CPU. <paramref name="name"/> is a catalog name or a folder
    /// with train/ and val/ (or test/) image sub-folders, one folder per class inside each.
    /// </summary>
    public static ImageDataset Load(string name, DatasetSplit split, string? dataDir = null, bool verifyContent = false,
        ImageFolderOptions? folderOptions = null)
    {
        if (Directory.Exists(name) && !Mnist.ContainsKey(name) && !CifarSets.ContainsKey(name))
            return LoadImageFolder(name, split, folderOptions ?? new ImageFolderOptions());
        if (CifarSets.TryGetValue(name, out var cifar))
        {
            string cifarFolder = DatasetLocator.Find(name, dataDir, HasFiles(name, split),
                $"Run with --download, or extract {Path.GetFileName(cifar.ArchiveUrl)} ({cifar.ArchiveUrl}) into one of those folders.");
            return cifar.Load(cifar.Resolve(cifarFolder, split)!, split);
        }
        string howToGet = name == "fashion-mnist"
            ? "Install Debian's dataset-fashion-mnist package, run with --download, or put the four IDX files (.gz or raw) in one of those folders."
            : "Run with --download, or put the four IDX files (.gz or raw) in one of those folders.";
        string folder = DatasetLocator.Find(name, dataDir, HasFiles(name, split), howToGet);
        return Mnist[name].Load(folder, split, verifyContent);
    }

    /// <summary>
    /// Where a catalog dataset's files are: the first folder of <see cref="DatasetLocator.Candidates"/> that holds
    /// both splits, or null when none does.
    /// </summary>
    public static string? Locate(string name, string? dataDir = null) =>
        DatasetLocator.Candidates(name, dataDir).FirstOrDefault(folder => Directory.Exists(folder)
            && HasFiles(name, DatasetSplit.Train)(folder) && HasFiles(name, DatasetSplit.Test)(folder));

    /// <summary>Whether a folder holds one split of a catalog dataset; an unknown name throws, suggesting close ones.</summary>
    private static Func<string, bool> HasFiles(string name, DatasetSplit split)
    {
        if (CifarSets.TryGetValue(name, out var cifar))
            return folder => cifar.Resolve(folder, split) is not null;
        if (!Mnist.ContainsKey(name))
        {
            var close = CloseMatches.Find(name, Names);
            throw new KeyNotFoundException($"Unknown dataset '{name}' (and no such folder); " +
                (close.Count > 0 ? $"did you mean {string.Join(", ", close)}?" : $"known: {string.Join(", ", Names)}, or a folder of images."));
        }
        var (images, labels) = MnistFamily.FileStems(split);
        return folder => new[] { images, labels }.All(stem => File.Exists(Path.Combine(folder, stem + ".gz")) || File.Exists(Path.Combine(folder, stem)));
    }

    /// <summary>The class-folder root of one split of an image-folder dataset: train/, or val/ (test/, validation/).</summary>
    public static string ImageFolderSplit(string root, DatasetSplit split)
    {
        var names = split == DatasetSplit.Train ? TrainFolders : TestFolders;
        return names.Select(n => Path.Combine(root, n)).FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException(
                $"{root}: no {string.Join(" or ", names.Select(n => n + "/"))} folder for the {split.ToString().ToLowerInvariant()} split.");
    }

    /// <summary>
    /// The files and classes of one split of an image-folder dataset. The test split's class folders are
    /// labelled by the training split's class names (a class training lacks is an error), so a validation
    /// set without some class still lines up.
    /// </summary>
    public static ImageFolderIndex ScanImageFolder(string root, DatasetSplit split)
    {
        string folder = ImageFolderSplit(root, split);
        if (split == DatasetSplit.Train)
            return ImageFolderIndex.Scan(folder);
        string? train = TrainFolders.Select(n => Path.Combine(root, n)).FirstOrDefault(Directory.Exists);
        return ImageFolderIndex.Scan(folder, train is null ? null : ImageFolderIndex.ClassFolderNames(train));
    }

    private static ImageDataset LoadImageFolder(string root, DatasetSplit split, ImageFolderOptions options)
    {
        var data = ImageFolderDataset.Load(ScanImageFolder(root, split), ImagePreprocessing.ForCrop(options.ImageSize), options.BadImages, out var skipped);
        options.ReportSkipped?.Invoke(skipped);
        return data;
    }
}

/// <summary>How image folders are read into memory.</summary>
/// <param name="ImageSize">Side of the square images (resize to 256/224 of it, then centre crop).</param>
/// <param name="BadImages">Fail on the first bad image, or skip and report.</param>
/// <param name="ReportSkipped">Receives the skipped files, if any.</param>
public sealed record ImageFolderOptions(
    int ImageSize = 224, BadImagePolicy BadImages = BadImagePolicy.Fail,
    Action<IReadOnlyList<(string Path, string Problem)>>? ReportSkipped = null);
