using ResNetSharp.Data;

namespace ResNetSharp.Tests.Data;

public class CifarTests
{
    internal static void WriteCifar10(string folder, int perFile, Func<int, byte>? label = null)
    {
        string root = Path.Combine(folder, "cifar-10-batches-bin");
        Directory.CreateDirectory(root);
        int index = 0;
        foreach (var file in Cifar.Cifar10.TrainFiles.Append(Cifar.Cifar10.TestFile))
        {
            using var stream = File.Create(Path.Combine(root, file));
            for (int i = 0; i < perFile; i++, index++)
            {
                stream.WriteByte(label?.Invoke(index) ?? (byte)(index % 10));
                var pixels = new byte[Cifar.PixelBytes];
                pixels[0] = (byte)index;           // red, top-left
                pixels[1024 + 33] = 200;           // green, row 1 column 1
                stream.Write(pixels);
            }
        }
        File.WriteAllLines(Path.Combine(root, "batches.meta.txt"),
            ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck", ""]);
    }

    [Fact]
    public void RecordsBecomeChannelPlanarImagesWithLabelsAndNames()
    {
        using var folder = new TemporaryFolder();
        WriteCifar10(folder.Path, perFile: 3);
        using var train = DatasetCatalog.Load("cifar-10", DatasetSplit.Train, folder.Path);
        Assert.Equal(15, train.Count);
        Assert.Equal(new long[] { 15, 3, 32, 32 }, train.Images.shape);
        Assert.Equal(7, train.Images[7, 0, 0, 0].item<byte>());
        Assert.Equal(200, train.Images[4, 1, 1, 1].item<byte>());
        Assert.Equal(4L, train.Labels[4].item<long>());
        Assert.Equal("truck", train.ClassNames[9]);
        using var test = DatasetCatalog.Load("cifar-10", DatasetSplit.Test, folder.Path);
        Assert.Equal(3, test.Count);
    }

    [Fact]
    public void TruncatedRecordAndOutOfRangeLabelAreNamed()
    {
        using var folder = new TemporaryFolder();
        WriteCifar10(folder.Path, perFile: 2, label: i => i == 3 ? (byte)12 : (byte)1);
        string second = Path.Combine(folder.Path, "cifar-10-batches-bin", "data_batch_2.bin");
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load("cifar-10", DatasetSplit.Train, folder.Path));
        Assert.Contains(second, error.Message);
        Assert.Contains("record 1: label 12", error.Message);

        WriteCifar10(folder.Path, perFile: 2);
        string first = Path.Combine(folder.Path, "cifar-10-batches-bin", "data_batch_1.bin");
        using (var stream = new FileStream(first, FileMode.Open))
            stream.SetLength(stream.Length - 100);
        error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load("cifar-10", DatasetSplit.Train, folder.Path));
        Assert.Contains(first, error.Message);
        Assert.Contains("truncated record", error.Message);
    }

    [Fact]
    public void MissingDatasetSaysWhereItLookedAndHowToGetIt()
    {
        using var folder = new TemporaryFolder();
        var error = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.Load("cifar-100", DatasetSplit.Test, folder.Path));
        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("--download", error.Message);
        Assert.Contains("cifar-100-binary.tar.gz", error.Message);
    }
}
