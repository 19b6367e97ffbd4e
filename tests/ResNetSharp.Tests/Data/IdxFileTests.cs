using System.IO.Compression;
using ResNetSharp.Data;

namespace ResNetSharp.Tests.Data;

public class IdxFileTests
{
    internal static byte[] Idx(int[] dimensions, byte[] data, byte typeCode = 0x08)
    {
        var bytes = new List<byte> { 0, 0, typeCode, (byte)dimensions.Length };
        foreach (int d in dimensions)
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    internal static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }

    [Fact]
    public void RawAndGzippedFilesReadTheSame()
    {
        using var folder = new TemporaryFolder();
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(folder.File("raw"), Idx([2, 3, 4], data));
        WriteGzip(folder.File("packed.gz"), Idx([2, 3, 4], data));
        foreach (var name in new[] { "raw", "packed.gz" })
        {
            var content = IdxFile.Read(folder.File(name), 3);
            Assert.Equal([2, 3, 4], content.Dimensions);
            Assert.Equal(data, content.Data);
        }
    }

    [Theory]
    [InlineData("magic", "wrong magic number")]
    [InlineData("rank", "has 1 dimensions; expected 3")]
    [InlineData("truncated", "truncated")]
    [InlineData("trailing", "trailing data")]
    [InlineData("huge", "refusing to allocate")]
    public void CorruptFilesNameTheFileAndTheProblem(string corruption, string problem)
    {
        using var folder = new TemporaryFolder();
        var data = new byte[2 * 2 * 2];
        byte[] bytes = corruption switch
        {
            "magic" => Idx([2, 2, 2], data, typeCode: 0x0D),
            "rank" => Idx([8], data),
            "truncated" => Idx([2, 2, 2], data[..5]),
            "trailing" => Idx([2, 2, 2], [.. data, 7]),
            _ => Idx([60000, 60000, 60000], data),
        };
        string path = folder.File("bad.gz");
        WriteGzip(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }
}

public class MnistFamilyTests
{
    private static void WriteSplit(string folder, byte[] labels, int count)
    {
        IdxFileTests.WriteGzip(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), IdxFileTests.Idx([count, 28, 28], new byte[count * 784]));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"), IdxFileTests.Idx([labels.Length], labels));
    }

    [Fact]
    public void ASmallSplitLoadsWithShapesLabelsAndNames()
    {
        using var folder = new TemporaryFolder();
        WriteSplit(folder.Path, [3, 9, 0], 3);
        using var data = MnistFamily.FashionMnist.Load(folder.Path, DatasetSplit.Test);
        Assert.Equal([3L, 1L, 28L, 28L], data.Images.shape);
        Assert.Equal([3L, 9L, 0L], data.Labels.data<long>().ToArray());
        Assert.Equal("Dress", data.ClassNames[3]);
    }

    [Fact]
    public void LabelsOutOfRangeAndCountMismatchesAreRefused()
    {
        using var folder = new TemporaryFolder();
        WriteSplit(folder.Path, [3, 10, 0], 3);
        Assert.Contains("label 10 at index 1", Assert.Throws<InvalidDataException>(() => MnistFamily.FashionMnist.Load(folder.Path, DatasetSplit.Test)).Message);
        WriteSplit(folder.Path, [3, 1], 3);
        Assert.Contains("3 images but", Assert.Throws<InvalidDataException>(() => MnistFamily.FashionMnist.Load(folder.Path, DatasetSplit.Test)).Message);
    }

    [Fact]
    public void ImagesOfZeroByZeroPixelsAreRefusedByName()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "t10k-images-idx3-ubyte"), IdxFileTests.Idx([2, 0, 0], []));
        File.WriteAllBytes(Path.Combine(folder.Path, "t10k-labels-idx1-ubyte"), IdxFileTests.Idx([2], [1, 2]));
        var error = Assert.Throws<InvalidDataException>(() => MnistFamily.FashionMnist.Load(folder.Path, DatasetSplit.Test).Dispose());
        Assert.Contains("t10k-images-idx3-ubyte", error.Message);
        Assert.Contains("2 images of 0x0 pixels", error.Message);
    }

    [Fact]
    public void MissingDataSaysWhereItLookedAndHowToGetIt()
    {
        using var folder = new TemporaryFolder();
        var error = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.Load("mnist", DatasetSplit.Train, folder.Path));
        Assert.Contains(folder.Path, error.Message);
        Assert.Contains(".cache", error.Message);
        Assert.Contains("IDX files", error.Message);
    }
}

public class RealFashionMnistTests
{
    [Fact]
    public void TheInstalledFashionMnistHasItsOfficialCountsHistogramContentAndPixelMean()
    {
        using var train = DatasetCatalog.Load("fashion-mnist", DatasetSplit.Train, verifyContent: true);
        using var test = DatasetCatalog.Load("fashion-mnist", DatasetSplit.Test, verifyContent: true);
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.All(train.ClassHistogram(), count => Assert.Equal(6_000, count));
        Assert.All(test.ClassHistogram(), count => Assert.Equal(1_000, count));
        double mean = train.Images.to(TorchSharp.torch.ScalarType.Float64).mean().item<double>() / 255.0;
        Assert.Equal(0.2860, mean, 3);
    }
}
