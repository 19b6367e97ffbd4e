using System.Security.Cryptography;
using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>MNIST and Fashion-MNIST: 28x28 grayscale images in IDX files, ten classes.</summary>
public sealed record MnistFamily(
    string Name, IReadOnlyList<string> ClassNames, double Mean, double Std,
    IReadOnlyDictionary<string, string> ContentSha256)
{
    /// <summary>Zalando's Fashion-MNIST.</summary>
    public static MnistFamily FashionMnist { get; } = new(
        "fashion-mnist",
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        0.2860, 0.3530,
        new Dictionary<string, string>
        {
            // SHA-256 of the decompressed files (the official release; the Debian package recompressed the .gz).
            ["train-images-idx3-ubyte"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ["train-labels-idx1-ubyte"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ["t10k-images-idx3-ubyte"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ["t10k-labels-idx1-ubyte"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        });

    /// <summary>LeCun's handwritten digits.</summary>
    public static MnistFamily Mnist { get; } = new(
        "mnist", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], 0.1307, 0.3081,
        new Dictionary<string, string>());

    /// <summary>File stem of a split's images and labels.</summary>
    public static (string Images, string Labels) FileStems(DatasetSplit split) => split == DatasetSplit.Train
        ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>
    /// Loads a split from <paramref name="folder"/> (files with or without .gz). Checks structure, counts
    /// and label range; with <paramref name="verifyContent"/>, also the SHA-256 of the decompressed bytes.
    /// </summary>
    public ImageDataset Load(string folder, DatasetSplit split, bool verifyContent = false)
    {
        var (imageStem, labelStem) = FileStems(split);
        string imagePath = FindFile(folder, imageStem);
        string labelPath = FindFile(folder, labelStem);
        var images = IdxFile.Read(imagePath, 3);
        var labels = IdxFile.Read(labelPath, 1);
        if (images.Dimensions.Any(d => d < 1))
            throw new InvalidDataException(
                $"{imagePath}: holds {images.Dimensions[0]} images of {images.Dimensions[1]}x{images.Dimensions[2]} pixels; expected one or more images of at least 1x1.");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new InvalidDataException(
                $"{imagePath} has {images.Dimensions[0]} images but {labelPath} has {labels.Dimensions[0]} labels.");
        int badLabel = Array.FindIndex(labels.Data, l => l >= ClassNames.Count);
        if (badLabel >= 0)
            throw new InvalidDataException(
                $"{labelPath}: label {labels.Data[badLabel]} at index {badLabel} is out of range 0..{ClassNames.Count - 1}.");
        if (verifyContent)
        {
            Verify(imagePath, imageStem, images.Data, images.Dimensions);
            Verify(labelPath, labelStem, labels.Data, labels.Dimensions);
        }
        var (n, h, w) = (images.Dimensions[0], images.Dimensions[1], images.Dimensions[2]);
        var imageTensor = tensor(images.Data, [n, 1, h, w], ScalarType.Byte);
        var labelTensor = tensor(labels.Data, [n], ScalarType.Byte).to(ScalarType.Int64);
        return new ImageDataset(imageTensor, labelTensor, ClassNames, [Mean], [Std], $"{Name} {split.ToString().ToLowerInvariant()} ({folder})");
    }

    private void Verify(string path, string stem, byte[] data, int[] dimensions)
    {
        if (!ContentSha256.TryGetValue(stem, out var expected))
            return;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = new byte[4 + 4 * dimensions.Length];
        header[2] = 0x08;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);
        sha.AppendData(header);
        sha.AppendData(data);
        string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (actual != expected)
            throw new InvalidDataException($"{path}: content SHA-256 {actual} differs from the official {expected}.");
    }

    private static string FindFile(string folder, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"{Path.Combine(folder, stem)}(.gz) not found.", Path.Combine(folder, stem));
    }
}
