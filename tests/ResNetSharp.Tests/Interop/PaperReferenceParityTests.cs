using System.Text.Json;
using ResNetSharp.Analysis;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

/// <summary>
/// The catalogue entries torchvision lacks (He et al.'s CIFAR ResNets and plain nets, the pre-activation
/// ResNets) against the PyTorch modules in Reference/paper_resnets.py, written the way those papers and
/// their usual PyTorch versions write them: keys, shapes and order, parameters, MACs and eval logits.
/// </summary>
public sealed class PaperReferenceParityTests(PaperReferenceParityTests.Reference reference) : IClassFixture<PaperReferenceParityTests.Reference>
{
    public static readonly string[] Models =
    [
        "resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "plain20", "plain32", "plain44", "plain56", "plain110",
        "preact_resnet18", "preact_resnet34", "preact_resnet50", "preact_resnet18_cifar", "preact_resnet34_cifar", "preact_resnet50_cifar",
    ];

    public static TheoryData<string> ModelNames() => [.. Models];

    /// <summary>One Python run writes every model's weights, input and logits (about 15 s, so once per class).</summary>
    public sealed class Reference : IDisposable
    {
        internal TemporaryFolder Folder { get; } = new();

        public Dictionary<string, JsonElement> Report { get; }

        public Reference() =>
            Report = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
                ReferencePython.Run("paper_resnets.py", [Folder.Path, "5", .. Models]))!;

        public void Dispose() => Folder.Dispose();
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void KeysShapesOrderParametersAndMacsEqualThePyTorchReference(string name)
    {
        var expected = reference.Report[name];
        using var model = ModelCatalog.Create(name);
        var ours = StateDictOrder.Entries(model).Select(e => $"{e.Name} [{string.Join(",", e.Tensor.shape)}]").ToList();
        var theirs = expected.GetProperty("layout").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(",", e[1].EnumerateArray().Select(d => d.GetInt64()))}]").ToList();
        Assert.Equal(theirs, ours);
        Assert.Equal(expected.GetProperty("params").GetInt64(), model.CountParameters());

        var (height, width) = model.Spec.Stem == StemKind.Cifar ? (32, 32) : (64, 48);
        Assert.Equal(expected.GetProperty("macs").GetInt64(), ModelSummary.Create(name, model, height, width).Macs);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void WeightsFromThePyTorchReferenceReproduceItsLogits(string name)
    {
        using var model = ModelCatalog.Create(name);
        WeightLoader.LoadFile(model, reference.Folder.File($"{name}.safetensors"));
        var (io, _) = SafetensorsFile.Load(reference.Folder.File($"{name}.io.safetensors"));
        using var scope = NewDisposeScope();
        var input = io.Single(t => t.Name == "input").Tensor;
        var expected = io.Single(t => t.Name == "logits").Tensor;
        model.eval();
        using var _ = no_grad();
        var logits = model.call(input);
        double relativeError = (logits - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(relativeError <= 1e-4, $"{name}: relative error {relativeError:E2}");
    }
}
