using System.IO.Compression;
using System.Text;
using ResNetSharp.Interop.Pth;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class HostilePthTests
{
    private static string Archive(TemporaryFolder folder, byte[] pickle, params (string Name, byte[] Data)[] storages) =>
        Reliability.HostileFiles.Pth(folder.Path, pickle, CompressionLevel.NoCompression, storages);

    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    [Fact]
    public void AnyGlobalOutsideTheRebuildSetIsRefusedBeforeItRuns()
    {
        using var folder = new TemporaryFolder();
        string marker = folder.File("pwned");
        // os.system("touch marker"): what a malicious checkpoint does under plain torch.load.
        var pickle = Bytes($"\u0080\u0002cos\nsystem\nX{(char)("touch " + marker).Length}\0\0\0touch {marker}\u0085R.");
        string path = Archive(folder, pickle);
        var error = Assert.Throws<PthFormatException>(() => PthFile.Load(path));
        Assert.Contains("os.system", error.Message);
        Assert.Contains(path, error.Message);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("torch", "load")]
    [InlineData("torch._utils", "_rebuild_device_tensor_from_numpy")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    public void OtherDangerousGlobalsAreRefusedAlsoViaStackGlobal(string module, string name)
    {
        using var folder = new TemporaryFolder();
        var pickle = Bytes($"\u0080\u0004\u008c{(char)module.Length}{module}\u008c{(char)name.Length}{name}\u0093).");
        var error = Assert.Throws<PthFormatException>(() => PthFile.Load(Archive(folder, pickle)));
        Assert.Contains($"{module}.{name}", error.Message);
    }

    private static byte[] OneTensorPickle(long numel, string size, string stride, long offset = 0) => Bytes(
        "\u0080\u0002ccollections\nOrderedDict\n)R(X\u0001\0\0\0w" +
        "ctorch._utils\n_rebuild_tensor_v2\n((X\u0007\0\0\0storagectorch\nFloatStorage\nX\u0001\0\0\00X\u0003\0\0\0cpu" +
        $"J{Int32(numel)}tQJ{Int32(offset)}({size}t({stride}t\u0089ccollections\nOrderedDict\n)RtRu.");

    private static string Int32(long value) => Encoding.Latin1.GetString(BitConverter.GetBytes((int)value));

    private static string Ints(params int[] values) => string.Concat(values.Select(v => "J" + Int32(v)));

    [Fact]
    public void AWellFormedHandWrittenPickleLoads()
    {
        using var folder = new TemporaryFolder();
        var data = new float[] { 1, 2, 3, 4, 5, 6 }.SelectMany(BitConverter.GetBytes).ToArray();
        var loaded = PthFile.Load(Archive(folder, OneTensorPickle(6, Ints(2, 3), Ints(3, 1)), ("0", data)));
        var (name, tensor) = Assert.Single(loaded);
        Assert.Equal("w", name);
        Assert.Equal(new long[] { 2, 3 }, tensor.shape);
        Assert.Equal(6f, tensor[1, 2].item<float>());

        // A transposed view of the same storage is rebuilt by strides.
        var transposed = PthFile.Load(Archive(folder, OneTensorPickle(6, Ints(3, 2), Ints(1, 3)), ("0", data)));
        Assert.Equal(4f, transposed[0].Tensor[0, 1].item<float>());
    }

    [Fact]
    public void StorageDeclaredLargerThanItsEntryIsRefusedBeforeAllocation()
    {
        using var folder = new TemporaryFolder();
        var path = Archive(folder, OneTensorPickle(int.MaxValue, Ints(1), Ints(1)), ("0", new byte[24]));
        var error = Assert.Throws<PthFormatException>(() => PthFile.Load(path));
        Assert.Contains("data/0", error.Message);
    }

    [Fact]
    public void AViewReachingPastItsStorageIsRefused()
    {
        using var folder = new TemporaryFolder();
        var path = Archive(folder, OneTensorPickle(6, Ints(3, 3), Ints(3, 1)), ("0", new byte[24]));
        var error = Assert.Throws<PthFormatException>(() => PthFile.Load(path));
        Assert.Contains("past its storage", error.Message);
    }

    [Fact]
    public void EveryTruncationOfAValidPickleIsAFormatError()
    {
        using var folder = new TemporaryFolder();
        var pickle = OneTensorPickle(6, Ints(2, 3), Ints(3, 1));
        var data = new byte[24];
        for (int length = 0; length < pickle.Length; length++)
        {
            string path = Archive(folder, pickle[..length], ("0", data));
            Assert.Throws<PthFormatException>(() => PthFile.Load(path));
            File.Delete(path);
        }
    }

    [Fact]
    public void LegacyAndNonZipFilesGetClearErrors()
    {
        using var folder = new TemporaryFolder();
        string legacy = folder.File("old.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
        Assert.Contains("legacy", Assert.Throws<PthFormatException>(() => PthFile.Load(legacy)).Message);

        string zip = folder.File("other.pth");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
            archive.CreateEntry("model/constants.pkl");
        Assert.Contains("no data.pkl", Assert.Throws<PthFormatException>(() => PthFile.Load(zip)).Message);

        string text = folder.File("notes.pth");
        File.WriteAllText(text, "hello");
        Assert.Contains("not a zip", Assert.Throws<PthFormatException>(() => PthFile.Load(text)).Message);
    }

    [Fact]
    public void NonTensorEntriesWithoutANestedStateDictAreNamed()
    {
        using var folder = new TemporaryFolder();
        var pickle = Bytes("\u0080\u0002}(X\u0005\0\0\0epochK\u0003u.");
        var error = Assert.Throws<PthFormatException>(() => PthFile.Load(Archive(folder, pickle)));
        Assert.Contains("'epoch'", error.Message);
    }
}
