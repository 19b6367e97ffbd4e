using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 in their binary distribution: fixed-size records of label byte(s) followed by
/// 3072 pixel bytes (1024 red, 1024 green, 1024 blue; 32x32, row-major).
/// </summary>
/// <param name="Name">Dataset name.</param>
/// <param name="Folder">Folder the archive extracts to.</param>
/// <param name="TrainFiles">Record files of the training split.</param>
/// <param name="TestFile">Record file of the test split.</param>
/// <param name="LabelBytes">1 (CIFAR-10) or 2 (CIFAR-100: coarse then fine).</param>
/// <param name="NamesFile">Text file with one class name per line.</param>
/// <param name="Mean">Per-channel mean of the training pixels in [0, 1].</param>
/// <param name="Std">Per-channel standard deviation.</param>
/// <param name="ArchiveUrl">Official archive.</param>
/// <param name="ArchiveMd5">Its published MD5.</param>
public sealed record Cifar(
    string Name, string Folder, IReadOnlyList<string> TrainFiles, string TestFile, int LabelBytes, string NamesFile,
    IReadOnlyList<double> Mean, IReadOnlyList<double> Std, string ArchiveUrl, string ArchiveMd5)
{
    /// <summary>Pixel bytes per record.</summary>
    public const int PixelBytes = 3 * 32 * 32;

    /// <summary>CIFAR-10 (10 classes).</summary>
    public static Cifar Cifar10 { get; } = new(
        "cifar-10", "cifar-10-batches-bin",
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
        "test_batch.bin", 1, "batches.meta.txt",
        [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616],
        "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530");

    /// <summary>CIFAR-100 (100 fine classes; the coarse label is read and checked but not used).</summary>
    public static Cifar Cifar100 { get; } = new(
        "cifar-100", "cifar-100-binary", ["train.bin"], "test.bin", 2, "fine_label_names.txt",
        [0.5071, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762],
        "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8");

    /// <summary>Bytes per record.</summary>
    public int RecordBytes => LabelBytes + PixelBytes;

    /// <summary>Number of classes.</summary>
    public int ClassCount => LabelBytes == 1 ? 10 : 100;

    /// <summary>The files a split needs, relative to the dataset folder.</summary>
    public IReadOnlyList<string> Files(DatasetSplit split) => split == DatasetSplit.Train ? TrainFiles : [TestFile];

    /// <summary>Whether <paramref name="folder"/> (or its extracted sub-folder) holds the split's files.</summary>
    public string? Resolve(string folder, DatasetSplit split)
    {
        foreach (var candidate in new[] { Path.Combine(folder, Folder), folder })
            if (Files(split).All(f => File.Exists(Path.Combine(candidate, f))))
                return candidate;
        return null;
    }

    /// <summary>Loads a split, checking record structure, counts and label ranges.</summary>
    public ImageDataset Load(string folder, DatasetSplit split)
    {
        var files = Files(split).Select(f => Path.Combine(folder, f)).ToList();
        var pixels = new List<byte[]>();
        var labels = new List<byte>();
        foreach (var file in files)
            ReadRecords(file, pixels, labels);
        var names = ReadClassNames(folder);
        int n = labels.Count;
        var all = new byte[(long)n * PixelBytes];
        for (int i = 0; i < n; i++)
            pixels[i].CopyTo(all, (long)i * PixelBytes);
        var images = tensor(all, [n, 3, 32, 32], ScalarType.Byte);
        var labelTensor = tensor(labels.ToArray(), [n], ScalarType.Byte).to(ScalarType.Int64);
        return new ImageDataset(images, labelTensor, names, Mean, Std, $"{Name} {split.ToString().ToLowerInvariant()} ({folder})");
    }

    private void ReadRecords(string path, List<byte[]> pixels, List<byte> labels)
    {
        using var stream = InputFile.OpenRead(path, "CIFAR record file");
        long length = stream.Length;
        if (length % RecordBytes != 0)
            throw new InvalidDataException(
                $"{path}: truncated record: {length} bytes is not a whole number of {RecordBytes}-byte records (record {length / RecordBytes} is cut short).");
        if (length == 0)
            throw new InvalidDataException($"{path}: empty file (no records).");
        long records = length / RecordBytes;
        var record = new byte[RecordBytes];
        for (long i = 0; i < records; i++)
        {
            stream.ReadExactly(record);
            if (LabelBytes == 2 && record[0] >= 20)
                throw new InvalidDataException($"{path}: record {i}: coarse label {record[0]} is out of range 0..19.");
            byte label = record[LabelBytes - 1];
            if (label >= ClassCount)
                throw new InvalidDataException($"{path}: record {i}: label {label} is out of range 0..{ClassCount - 1}.");
            labels.Add(label);
            pixels.Add(record[LabelBytes..]);
        }
    }

    private IReadOnlyList<string> ReadClassNames(string folder)
    {
        string path = Path.Combine(folder, NamesFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found (class names ship with the archive).", path);
        var names = InputFile.ReadAllText(path, "CIFAR class-name file", 1 << 20).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count != ClassCount)
            throw new InvalidDataException($"{path}: {names.Count} class names; expected {ClassCount}.");
        return names;
    }
}
