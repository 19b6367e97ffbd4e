using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ResNetSharp.Inference;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class OnnxExportTests
{
    public static TheoryData<string> CatalogNames() => [.. ModelCatalog.Names];

    private static void RandomizeBatchNorm(ResNet model)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in StateDictOrder.Entries(model))
        {
            if (name.EndsWith("running_mean"))
                tensor.normal_(0, 0.1);
            else if (name.EndsWith("running_var"))
                tensor.uniform_(0.5, 1.5);
            else if (tensor.dim() == 1 && name.EndsWith(".weight") && !name.StartsWith("fc.") && !name.Contains(".se."))
                tensor.uniform_(0.5, 1.5);
        }
    }

    /// <summary>Every output of the model, by name, in the graph's order.</summary>
    private static List<(string Name, float[] Values)> RunOnnx(byte[] model, float[] input, long[] shape)
    {
        using var session = new InferenceSession(model);
        var tensor = new DenseTensor<float>(input, shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
        return results.Select(r => (r.Name, r.AsEnumerable<float>().ToArray())).ToList();
    }

    private static void AssertRelativelyClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float error = expected.Zip(actual).Max(p => MathF.Abs(p.First - p.Second)) / expected.Max(MathF.Abs);
        Assert.True(error <= 1e-4, $"{what}: relative error {error:E2}");
    }

    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void OnnxRuntimeReproducesTheEvalLogitsAndEmbeddingFoldedAndUnfolded(string name)
    {
        manual_seed(3);
        using var model = ModelCatalog.Create(name, numClasses: 7);
        RandomizeBatchNorm(model);
        model.eval();
        int size = ModelCatalog.Get(name).Stem == StemKind.Cifar ? 32 : 64;
        using var scope = NewDisposeScope();
        var input = randn(2, 3, size, size);
        float[] logits, embedding;
        using (no_grad())
        {
            logits = model.call(input).data<float>().ToArray();
            embedding = model.Embed(input).data<float>().ToArray();
        }

        foreach (bool fold in new[] { true, false })
        {
            var bytes = OnnxExporter.ToBytes(model, new OnnxExportOptions(size, size, fold));
            var outputs = RunOnnx(bytes, input.data<float>().ToArray(), input.shape);
            // The classifier's logits stay the first output, for consumers that read only that one.
            Assert.Equal(["logits", "embedding"], outputs.Select(o => o.Name));
            AssertRelativelyClose(logits, outputs[0].Values, $"{name} logits (fold {fold})");
            AssertRelativelyClose(embedding, outputs[1].Values, $"{name} embedding (fold {fold})");
        }
    }

    [Fact]
    public void OnnxRuntimeReproducesEveryHeadOfAMultiHeadNetworkByName()
    {
        manual_seed(5);
        var spec = ModelCatalog.Get("resnet18_cifar") with { Widths = [8, 16, 32, 64], StemChannels = 8 };
        using var network = ResNetSharp.Training.MultiHeadNetwork.FromSpec(spec,
        [
            new ResNetSharp.Training.RegressionHead("box", [10.0, -3.0], [4.0, 0.5]),
            new ResNetSharp.Training.ClassificationHead("kind", ["a", "b", "c"]) { Hidden = 16, Dropout = 0.3 },
            new ResNetSharp.Training.ClassificationHead("fc", ["x", "y"]),
        ]);
        RandomizeBatchNorm(network.ResNetBackbone!);
        network.eval();
        using var scope = NewDisposeScope();
        var input = randn(3, 3, 32, 32);
        IReadOnlyDictionary<string, TorchSharp.torch.Tensor> expected;
        using (no_grad())
            expected = network.call(input);
        var bytes = OnnxExporter.ToBytes(network, new OnnxExportOptions(32, 32));
        using var session = new InferenceSession(bytes);
        Assert.Equal(["box", "kind", "fc", "embedding"], session.OutputMetadata.Keys);
        Assert.Contains("\"regression\"", session.ModelMetadata.CustomMetadataMap["heads"]);
        float[] embedding;
        using (no_grad())
            embedding = network.Embed(input).data<float>().ToArray();
        foreach (var (name, got) in RunOnnx(bytes, input.data<float>().ToArray(), input.shape))
            AssertRelativelyClose(name == "embedding" ? embedding : expected[name].data<float>().ToArray(), got, name);

        // ONNX Runtime inference reads what each output is from the heads' descriptions.
        using var classifier = ResNetSharp.Inference.OnnxClassifier.Load(bytes, "heads.onnx");
        Assert.Equal(
            [("box", OutputKind.Regression, 2), ("kind", OutputKind.Classification, 3), ("fc", OutputKind.Classification, 2), ("embedding", OutputKind.Embedding, 64)],
            classifier.Info.Outputs.Select(o => (o.Name, o.Kind, o.Size)));
        Assert.Equal(["a", "b", "c"], classifier.Info.Output("kind").Labels);
        Assert.Null(classifier.Info.Output("box").Labels);
        // The regression outputs are in the targets' units: the layer's output scaled by the std and shifted by the mean.
        using (no_grad())
        {
            var layer = nn.functional.linear(network.Embed(input), network.get_parameter("box.fc.weight")!, network.get_parameter("box.fc.bias")!);
            var restored = layer * TorchSharp.torch.tensor(new float[] { 4f, 0.5f }) + TorchSharp.torch.tensor(new float[] { 10f, -3f });
            Assert.True(restored.allclose(expected["box"], rtol: 1e-5, atol: 1e-5));
        }
    }

    [Fact]
    public void TheBatchAxisIsDynamicAndMetadataIsStored()
    {
        using var model = ModelCatalog.Create("resnet18_cifar", numClasses: 3);
        model.eval();
        var bytes = OnnxExporter.ToBytes(model, new OnnxExportOptions(32, 32, ClassNames: ["a", "b", "c"]));
        using var session = new InferenceSession(bytes);
        Assert.Equal(-1, session.InputMetadata["input"].Dimensions[0]);
        Assert.Equal("[\"a\",\"b\",\"c\"]", session.ModelMetadata.CustomMetadataMap["class_names"]);
        var outputs = RunOnnx(bytes, new float[5 * 3 * 32 * 32], [5, 3, 32, 32]);
        Assert.Equal([5 * 3, 5 * 512], outputs.Select(o => o.Values.Length));
    }

    [Theory]
    [InlineData("seresnet50")]
    [InlineData("resnet20")] // Slice and Pad with int64 initializers
    [InlineData("preact_resnet18_cifar")]
    public void PythonOnnxCheckerAcceptsTheFile(string name)
    {
        using var folder = new TemporaryFolder();
        using var model = ModelCatalog.Create(name, numClasses: 5);
        string path = folder.File($"{name}.onnx");
        OnnxExporter.Export(model, path, new OnnxExportOptions(64, 64));
        string result = ReferencePython.Run("onnx_check.py", path).Trim();
        Assert.Equal("ok opset 17", result);
    }
}
