using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;
using static ResNetSharp.Tests.Reliability.HostileFiles;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Weights whose shapes or metadata ask for absurd models or unusable preprocessing: each is one line and
/// exit code 2 naming the file and the field, before a model is built, never a .NET exception or NaN.
/// </summary>
[Trait("Category", "Reliability")]
public class WeightsMetadataTests
{
    private static Dictionary<string, string> Card(ImagePreprocessing? preprocessing = null) =>
        WeightsModel.Describe(new ModelCard("tiny", ["a", "b", "c"], 3, preprocessing ?? ImagePreprocessing.ForCrop(8)).ToMetadata(), "tiny", TinySpec);

    private static void AssertOneLineExitTwo((int Code, string Output, string Error) run, string subject, params string[] expected) =>
        UsageErrors.AssertOneLine(run, "bad weights", "predict", subject, expected);

    /// <summary>Peak resident growth of this process while <paramref name="action"/> runs.</summary>
    private static long PeakGrowth(Action action)
    {
        ProcessMemory.ResetPeak();
        long before = ProcessMemory.Resident();
        action();
        return ProcessMemory.PeakResident() - before;
    }

    [Fact]
    public void AClassifierOfTwoMillionEmptyRowsBuildsNothing()
    {
        using var folder = new TemporaryFolder();
        // 128 bytes that say "two million classes": a resnet18 head of 2,000,000 x 512 would be 4 GB.
        string weights = Safetensors(folder.File("fc.safetensors"), null, ("fc.weight", [2_000_000, 0], []));
        string image = TestImages.Write(folder.File("a.png"), 16, 16, seed: 1);
        (int, string, string) run = default;
        long growth = PeakGrowth(() => run = SummaryCommandTests.Run("predict", "--model", "resnet18", "--weights", weights, image));
        AssertOneLineExitTwo(run, "fc.weight of shape [2000000, 0] (a 128-byte file)", "fc.safetensors", "fc.weight", "[2000000, 0]");
        Assert.True(growth < 256L << 20, $"peak memory grew by {growth >> 20} MiB");
    }

    [Fact]
    public void AScalarWhereTheClassifierMatrixBelongsIsAClearError()
    {
        using var folder = new TemporaryFolder();
        string weights = Safetensors(folder.File("scalar.safetensors"), null, ("fc.weight", [], [1f]));
        string image = TestImages.Write(folder.File("a.png"), 16, 16, seed: 1);
        AssertOneLineExitTwo(SummaryCommandTests.Run("predict", "--model", "resnet18", "--weights", weights, image),
            "a scalar fc.weight", "scalar.safetensors", "fc.weight", "expected 2 dimensions");
    }

    [Fact]
    public void MetadataDepthsOfAHundredThousandAreRefusedBeforeBuilding()
    {
        using var folder = new TemporaryFolder();
        var metadata = Card();
        metadata[WeightsModel.SpecKey] = """{"block": "basic", "depths": [100000], "widths": [4], "stemChannels": 4, "stem": "cifar", "numClasses": 3}""";
        string weights = ModelWeights(folder.File("deep.safetensors"), TinySpec, metadata);
        var error = Assert.Throws<FormatException>(() => WeightsModel.Load(weights).Dispose());
        Assert.Contains("deep.safetensors", error.Message);
        Assert.Contains("at most 1000 blocks per stage", error.Message);
    }

    [Fact]
    public void AModelLargerThanTheFilesOwnTensorsIsRefusedBeforeBuilding()
    {
        using var folder = new TemporaryFolder();
        var metadata = Card();
        metadata[WeightsModel.SpecKey] = ResNetSpecJson.ToJson(ModelCatalog.Get("resnet50"));
        string weights = ModelWeights(folder.File("small.safetensors"), TinySpec, metadata);
        var error = Assert.Throws<FormatException>(() => WeightsModel.Load(weights).Dispose());
        Assert.Contains("small.safetensors", error.Message);
        Assert.Contains("stores only", error.Message);
    }

    [Fact]
    public void EvalRefusesAModelLargerThanTheFileBeforeBuildingIt()
    {
        using var folder = new TemporaryFolder();
        var metadata = Card();
        // 4,000 blocks of width 64: 1.2 GB of weights, named by a file of a few kilobytes.
        metadata[WeightsModel.SpecKey] = """{"block": "basic", "depths": [1000, 1000, 1000, 1000], "widths": [64, 64, 64, 64], "stem": "cifar", "numClasses": 3}""";
        string weights = ModelWeights(folder.File("huge.safetensors"), TinySpec, metadata);
        foreach (var split in new[] { "train", "val" })
            foreach (var name in new[] { "a", "b", "c" })
                TestImages.Write(folder.File($"data/{split}/{name}/1.png"), 12, 12, name[0]);
        UsageErrors.AssertOneLine(SummaryCommandTests.Run("eval", "--weights", weights, "--dataset", folder.File("data")),
            "bad weights", "eval", "metadata naming 4,000 blocks in a few-kilobyte file", "huge.safetensors", "stores only");
    }

    [Fact]
    public void SpecLimitsRefuseSizesNoResNetNeedsAndAdmitTheWholeCatalog()
    {
        foreach (var name in ModelCatalog.Names)
            ModelCatalog.Get(name).Validate();
        var bad = new (ResNetSpec Spec, string Field)[]
        {
            (TinySpec with { Depths = [1001, 1] }, "Depths"),
            (TinySpec with { Depths = [1, 1, 1, 1, 1, 1, 1, 1, 1], Widths = [4, 4, 4, 4, 4, 4, 4, 4, 4] }, "Depths"),
            (TinySpec with { Widths = [4, 100_000] }, "Widths"),
            (TinySpec with { StemChannels = 1 << 20 }, "StemChannels"),
            (TinySpec with { NumClasses = int.MaxValue }, "NumClasses"),
            (TinySpec with { InChannels = 5000 }, "InChannels"),
            (TinySpec with { Depths = [1000, 1000], Widths = [4096, 4096] }, "Depths"), // 6e11 weights
        };
        foreach (var (spec, field) in bad)
            Assert.Contains($"'{field}'", Assert.Throws<ArgumentException>(() => NetworkPlanner.Plan(spec)).Message);
    }

    /// <summary>
    /// The channel limit is checked with the block kinds' own widths (one home for what a kind is made of): the widest
    /// layer <see cref="BlockKinds.WidestChannels"/> reports is the widest convolution the planner makes, for every
    /// catalogue entry, and a grouped bottleneck whose inner width alone passes the limit is refused.
    /// </summary>
    [Fact]
    public void TheChannelLimitUsesTheWidthsTheBlockKindsReallyHave()
    {
        foreach (var name in ModelCatalog.Names)
        {
            var spec = ModelCatalog.Get(name);
            foreach (int planes in spec.Widths)
                Assert.Equal(BlockKinds.Convolutions(spec, planes, planes, 1).Max(c => c.OutChannels), BlockKinds.WidestChannels(spec, planes));
        }
        var grouped = TinySpec with { Block = BlockKind.Bottleneck, Widths = [4, 1024], Groups = 128, BaseWidth = 64 };
        Assert.Equal(128L * 1024, BlockKinds.WidestChannels(grouped, 1024)); // inner width, not the 4096 outputs
        Assert.Contains("'Widths'", Assert.Throws<ArgumentException>(() => grouped.Validate()).Message);
        Assert.Equal(4096L, BlockKinds.WidestChannels(grouped with { Groups = 1 }, 1024));
        (grouped with { Groups = 1 }).Validate();
    }

    public static TheoryData<string, string, string> BadCardEntries() => new()
    {
        { "preprocessing", """{"resizeTo":9,"cropTo":8,"mean":[0.5,0.5,0.5],"std":[0,0,0]}""", "std is [0, 0, 0]; expected values above zero" },
        { "preprocessing", """{"resizeTo":9,"cropTo":8,"mean":[],"std":[1,1,1]}""", "mean has 0 values" },
        { "preprocessing", """{"resizeTo":9,"cropTo":-1,"mean":[0.5],"std":[1]}""", "cropTo is -1" },
        { "preprocessing", """{"resizeTo":2000000000,"cropTo":8,"mean":[0.5],"std":[1]}""", "resizeTo is 2000000000" },
        { "class_names", "null", "class_names" },
        { "in_channels", "100000000000", "in_channels" },
    };

    [Theory]
    [MemberData(nameof(BadCardEntries))]
    public void UnusableMetadataIsOneLineNamingTheFileAndTheEntry(string key, string value, string expected)
    {
        using var folder = new TemporaryFolder();
        var metadata = Card();
        metadata[key] = value;
        string weights = ModelWeights(folder.File("card.safetensors"), TinySpec, metadata);
        string image = TestImages.Write(folder.File("a.png"), 12, 10, seed: 2);
        AssertOneLineExitTwo(SummaryCommandTests.Run("predict", "--weights", weights, image), $"metadata {key} = {value}",
            "card.safetensors", key, expected);
    }

    [Fact]
    public void AZeroStdIsRefusedByTheTorchSharpAndTheOnnxPathsAlike()
    {
        using var folder = new TemporaryFolder();
        var zeroStd = ImagePreprocessing.ForCrop(8) with { Std = [0, 0, 0] };
        string image = TestImages.Write(folder.File("a.png"), 12, 10, seed: 3);
        var metadata = Card();
        metadata["preprocessing"] = zeroStd.ToJson();
        string weights = ModelWeights(folder.File("w.safetensors"), TinySpec, metadata);
        var torch = SummaryCommandTests.Run("predict", "--weights", weights, image);

        string onnx = folder.File("m.onnx");
        using (var model = new ResNet(TinySpec))
        {
            model.eval();
            OnnxExporter.Export(model, onnx, new OnnxExportOptions(8, 8, ClassNames: ["a", "b", "c"], Preprocessing: zeroStd));
        }
        var ort = SummaryCommandTests.Run("predict", "--onnx", onnx, image);

        const string Problem = "std is [0, 0, 0]; expected values above zero";
        AssertOneLineExitTwo(torch, "zero std in the weights' preprocessing (TorchSharp path)", "w.safetensors", Problem);
        AssertOneLineExitTwo(ort, "zero std in the ONNX metadata (ONNX Runtime path)", "m.onnx", Problem);
    }
}
