using System.IO.Compression;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using static ResNetSharp.Tests.Reliability.HostileFiles;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Tiny .pth files that try to make the loader allocate gigabytes or recurse without end. All are read in
/// one <see cref="ReaderSandbox"/> child (a process under a memory cap), so that the old behaviour shows as
/// a failed test rather than a dead test run: each must end in a <see cref="PthFormatException"/> naming
/// the file, with the process's peak memory barely moved.
/// </summary>
[Trait("Category", "Reliability")]
public class HostilePthBudgetTests(HostilePthBudgetTests.Files files) : IClassFixture<HostilePthBudgetTests.Files>
{
    private const string Reader = "pth (zip + pickle)";
    private const string PredictCommand = "predict with .pth weights";

    /// <summary>The hostile files, written and read in the sandbox once for the whole class.</summary>
    public sealed class Files : IDisposable
    {
        private readonly TemporaryFolder _folder = new();
        private readonly Dictionary<string, ReaderSandbox.Outcome> _outcomes = [];

        public Files()
        {
            var files = new Dictionary<string, string>
            {
                // One float, seen as a 2^30-element tensor: 4 GiB if each view is copied out of its storage.
                ["stride-0 view"] = Pth(_folder.Path, StateDictPickle(("w", "0", 1, [1L << 30], [0])), storages: ("0", new byte[4])),
                ["one stream named 8 times"] = OneStreamNamedEightTimes(_folder.Path),
                ["5 million appends"] = Pth(_folder.Path, FiveMillionAppends(), CompressionLevel.Fastest),
                // d = {}; d["model"] = d
                ["self-containing dict"] = Pth(_folder.Path, Pickle("\u0080\u0002}q\u0000(X\u0005\0\0\0modelh\u0000u.")),
                // a = {}; b = {}; b["state_dict"] = a; a["model"] = b
                ["two dicts containing each other"] = Pth(_folder.Path,
                    Pickle("\u0080\u0002}q\u0000(X\u0005\0\0\0model}q\u0001(X\u000a\0\0\0state_dicth\u0000uu.")),
            };
            var names = files.Keys.ToList();
            // 512 MiB of zeros in a file of about half a megabyte, seen as a 3x8 classifier: the shapes alone decide the model.
            var zeros = PthWithZeroStorage(_folder.Path, StateDictPickle(("fc.weight", "0", ZeroFloats, [3, 8], [8, 1])), "0", ZeroFloats * 4);
            ZeroStorageFileBytes = new FileInfo(zeros).Length;
            var outcomes = ReaderSandbox.Run([
                new ReaderSandbox.Job(Reader, Files: names.Select(n => files[n]).ToList()),
                new ReaderSandbox.Job(PredictCommand, Files: [zeros]),
            ]);
            foreach (var outcome in outcomes)
            {
                if (outcome.Target == PredictCommand)
                    PredictOnZeros = outcome;
                else
                    _outcomes[names[outcome.Index]] = outcome;
            }
        }

        internal const long ZeroFloats = 128L << 20;

        /// <summary>What <c>resnet predict</c> made of the zero-filled file.</summary>
        internal ReaderSandbox.Outcome PredictOnZeros { get; } = null!;

        internal long ZeroStorageFileBytes { get; }

        internal ReaderSandbox.Outcome this[string name] => _outcomes[name];

        public void Dispose() => _folder.Dispose();
    }

    private static string Rejected(ReaderSandbox.Outcome outcome, string tried, long peakLimit = 64L << 20)
    {
        Assert.True(outcome.Kind == "rejected", $"{outcome.Kind}: {outcome.Detail}");
        Assert.True(outcome.PeakGrowth < peakLimit, $"peak memory grew by {outcome.PeakGrowth >> 20} MiB");
        ReliabilityLog.Record("hostile files", "pth", tried, 1,
            $"ok: {outcome.Detail[(outcome.Detail.IndexOf(": ", StringComparison.Ordinal) + 2)..]}; peak memory +{outcome.PeakGrowth >> 20} MiB");
        return outcome.Detail;
    }

    [Fact]
    public void AStrideZeroViewOfAHugeShapeIsRefusedInsteadOfCopiedOut() =>
        Assert.Contains("'w'", Rejected(files["stride-0 view"], "a 1-float storage viewed as 2^30 floats (stride 0)"));

    [Fact]
    public void ACentralDirectoryNamingOneDeflateStreamManyTimesIsRefused() =>
        Assert.Contains("sharing data", Rejected(files["one stream named 8 times"], "one 64 MiB deflate stream named by 8 central-directory entries"));

    /// <summary>The budget stops it at a million objects: the pickle's 15 MB and those objects stay under 100 MiB (170 MB without it).</summary>
    [Fact]
    public void APickleThatAppendsMillionsOfItemsIsStoppedAtItsObjectBudget() =>
        Assert.Contains("objects", Rejected(files["5 million appends"], "a 60 KB deflated pickle appending 5 million items", peakLimit: 100L << 20));

    [Fact]
    public void AStateDictThatContainsItselfIsRefusedNotRecursedInto() =>
        Assert.Contains("cycle", Rejected(files["self-containing dict"], "a state dict that contains itself under 'model'"));

    [Fact]
    public void TwoDictsThatContainEachOtherAreRefused() =>
        Assert.Contains("cycle", Rejected(files["two dicts containing each other"], "two dicts that contain each other under 'model' and 'state_dict'"));

    /// <summary>
    /// The shapes that decide the model (classes from fc.weight) are read from the pickle alone: the storage is
    /// not decompressed until the model's own budget allows it, which 512 MiB for a tiny model does not.
    /// </summary>
    [Fact]
    public void PredictReadsShapesWithoutDecompressingAStorageOfZeros()
    {
        Assert.True(files.ZeroStorageFileBytes < 4 << 20, $"{files.ZeroStorageFileBytes} bytes");
        string detail = Rejected(files.PredictOnZeros,
            $"resnet predict --weights: a {files.ZeroStorageFileBytes >> 10} KiB .pth whose one storage inflates to {Files.ZeroFloats * 4 >> 20} MiB of zeros");
        Assert.Contains("decompressed bytes", detail);
    }

    [Fact]
    public void ViewsShareTheirStorageAsTorchLoadsDo()
    {
        using var folder = new TemporaryFolder();
        var data = new float[] { 1, 2, 3, 4, 5, 6 }.SelectMany(BitConverter.GetBytes).ToArray();
        // "a" is the 2x3 matrix, "t" its transpose, "e" its first element repeated 1000 times (stride 0).
        var pickle = StateDictPickle(("a", "0", 6, [2, 3], [3, 1]), ("t", "0", 6, [3, 2], [1, 3]), ("e", "0", 6, [1000], [0]));
        var loaded = PthFile.Load(Pth(folder.Path, pickle, storages: ("0", data)));
        try
        {
            var tensors = loaded.ToDictionary(t => t.Name, t => t.Tensor);
            Assert.Equal(2f, tensors["t"][1, 0].item<float>());
            Assert.Equal(new long[] { 1000 }, tensors["e"].shape);
            Assert.Equal(new long[] { 0 }, tensors["e"].stride());
            tensors["a"][0, 1] = TorchSharp.torch.tensor(20f);
            Assert.Equal(20f, tensors["t"][1, 0].item<float>()); // the same memory, as in torch
        }
        finally
        {
            foreach (var (_, tensor) in loaded)
                tensor.Dispose();
        }
    }

    [Fact]
    public void LoadingIntoAModelBoundsTheFileByTheModelsSize()
    {
        using var folder = new TemporaryFolder();
        using var model = new ResNet(TinySpec);
        var limits = WeightLoader.LimitsFor(model);
        long modelBytes = StateDictOrder.Entries(model).Sum(e => e.Tensor.numel() * e.Tensor.ElementSize);
        Assert.Equal(16 * modelBytes + PthLoadLimits.TensorSlackBytes, limits.MaxDecompressedBytes);
        // A real storage larger than the budget is refused before it is read: as a whole tensor, by the tensor bytes;
        // behind a small view, by the bytes it would decompress.
        long floats = limits.MaxDecompressedBytes / 4 + 1;
        var whole = Pth(folder.Path, StateDictPickle(("fc.weight", "0", floats, [floats], [1])), CompressionLevel.Fastest, ("0", new byte[floats * 4]));
        var error = Assert.Throws<PthFormatException>(() => { WeightLoader.LoadFile(model, whole); });
        Assert.Contains($"past {limits.MaxTensorBytes} bytes", error.Message);
        var viewed = PthWithZeroStorage(folder.Path, StateDictPickle(("fc.weight", "0", floats, [3, 8], [8, 1])), "0", floats * 4);
        error = Assert.Throws<PthFormatException>(() => { WeightLoader.LoadFile(model, viewed); });
        Assert.Contains($"decompressed bytes, over the {limits.MaxDecompressedBytes} allowed", error.Message);
    }

    /// <summary>Eight storages of 64 MiB (512 MiB in all) whose central-directory entries all point at one deflate stream of about 64 KiB.</summary>
    private static string OneStreamNamedEightTimes(string folder)
    {
        const int Names = 8;
        const long Floats = 16L << 20;
        var pickle = StateDictPickle(Enumerable.Range(0, Names).Select(i => ($"w{i}", $"{i}", Floats, new[] { Floats }, new[] { 1L })).ToArray());
        string path = PthWithOneStreamNamedManyTimes(folder, pickle, new byte[Floats * 4], Names);
        Assert.True(new FileInfo(path).Length < 1 << 20);
        return path;
    }

    /// <summary>5 million "append 0": 15 MB of pickle, deflated to about 60 KB; 170 MB of boxed numbers when unpickled.</summary>
    private static byte[] FiveMillionAppends()
    {
        var program = new byte[3 + 5_000_000 * 3 + 1];
        program[0] = 0x80;
        program[1] = 2;
        program[2] = (byte)']';
        for (int i = 3; i < program.Length - 1; i += 3)
        {
            program[i] = (byte)'K';
            program[i + 2] = (byte)'a';
        }
        program[^1] = (byte)'.';
        return program;
    }
}
