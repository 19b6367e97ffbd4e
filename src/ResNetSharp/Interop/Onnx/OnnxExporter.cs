using System.Text.Json;
using ResNetSharp.Common;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Onnx;

/// <summary>
/// Writes a ResNet as an ONNX model (opset 17): the eval-mode network, BatchNorm optionally folded
/// into the convolutions, a dynamic batch axis, and metadata (class names, input size, mean/std).
/// The graph is generated from the network plan and the state dict, so every catalog variant exports.
/// </summary>
public static class OnnxExporter
{
    private const float BatchNormEpsilon = 1e-5f;
    private const string InputName = "input";
    private const string OutputName = "logits";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    public static void Export(ResNet model, string path, OnnxExportOptions options)
    {
        byte[] bytes = ToBytes(model, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The serialised ModelProto.</summary>
    public static byte[] ToBytes(ResNet model, OnnxExportOptions options)
    {
        var weights = StateDictOrder.Entries(model).ToDictionary(e => e.Name, e => e.Tensor);
        var builder = new Builder(new OnnxGraph(), weights, model.Spec.Activation, options.FoldBatchNorm);
        string features = builder.Network(model.Plan, InputName);
        string pooled = builder.Graph.Node("Flatten", [builder.Graph.Node("GlobalAveragePool", [features])], attributes: ("axis", 1L));
        int outputs = model.NumClasses > 0 ? model.NumClasses : model.NumFeatures;
        string output = model.NumClasses > 0
            ? builder.Graph.Node("Gemm", [pooled, builder.Graph.Initializer("fc.weight", weights["fc.weight"]), builder.Graph.Initializer("fc.bias", weights["fc.bias"])],
                OutputName, ("transB", 1L))
            : builder.Graph.Node("Identity", [pooled], OutputName);
        var graph = builder.Graph.ToProto("resnet", InputName, model.Spec.InChannels, options.Height, options.Width, output, outputs);

        var modelProto = new ProtoMessage()
            .Int(1, 8) // ir_version 8 (ONNX 1.10+), enough for opset 17
            .String(2, "ResNetSharp")
            .String(3, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, graph)
            .Message(8, new ProtoMessage().String(1, "").Int(2, OnnxExportOptions.Opset));
        foreach (var (key, value) in Metadata(model, options))
            modelProto.Message(14, new ProtoMessage().String(1, key).String(2, value));
        return modelProto.ToArray();
    }

    private static IEnumerable<(string, string)> Metadata(ResNet model, OnnxExportOptions options)
    {
        yield return ("input_size", $"{model.Spec.InChannels}x{options.Height}x{options.Width}");
        yield return ("batchnorm_folded", options.FoldBatchNorm ? "true" : "false");
        if (options.ClassNames is { } names)
            yield return ("class_names", JsonSerializer.Serialize(names));
        if (options.Preprocessing is { } p)
        {
            yield return ("preprocessing", p.ToJson());
            yield return ("mean", JsonSerializer.Serialize(p.Mean));
            yield return ("std", JsonSerializer.Serialize(p.Std));
        }
    }

    /// <summary>Emits the layers of one network into a graph.</summary>
    private sealed class Builder(OnnxGraph graph, Dictionary<string, Tensor> weights, ActivationKind activation, bool fold)
    {
        public OnnxGraph Graph => graph;

        public string Network(NetworkPlan plan, string input)
        {
            var spec = plan.Spec;
            string x = spec.Stem switch
            {
                StemKind.Deep => ConvNorm(Activate(ConvNorm(Activate(ConvNorm(input, "conv1.0", "conv1.1", 3, 2, 1)), "conv1.3", "conv1.4", 3, 1, 1)),
                    "conv1.6", "bn1", 3, 1, 1),
                StemKind.ImageNet => ConvNorm(input, "conv1", "bn1", 7, 2, 3),
                _ => ConvNorm(input, "conv1", "bn1", 3, 1, 1),
            };
            x = Activate(x);
            if (spec.Stem != StemKind.Cifar)
                x = graph.Node("MaxPool", [x], attributes: [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 })]);
            foreach (var block in plan.Blocks)
                x = Block(block, spec, x);
            return x;
        }

        private string Block(BlockPlan block, ResNetSpec spec, string input)
        {
            string p = block.Name;
            string y = spec.Block == BlockKind.Basic
                ? ConvNorm(Activate(ConvNorm(input, $"{p}.conv1", $"{p}.bn1", 3, block.Stride, 1)), $"{p}.conv2", $"{p}.bn2", 3, 1, 1)
                : ConvNorm(Activate(ConvNorm(Activate(ConvNorm(input, $"{p}.conv1", $"{p}.bn1", 1, 1, 0)),
                    $"{p}.conv2", $"{p}.bn2", 3, block.Stride, 1, spec.Groups)), $"{p}.conv3", $"{p}.bn3", 1, 1, 0);
            if (spec.SqueezeExcitationRatio > 0)
            {
                string squeezed = graph.Node("ReduceMean", [y], attributes: [("axes", new long[] { 2, 3 }), ("keepdims", 1L)]);
                string hidden = graph.Node("Relu", [Conv(squeezed, $"{p}.se.fc1.weight", $"{p}.se.fc1.bias", stride: 1, padding: 0)]);
                string gate = graph.Node("Sigmoid", [Conv(hidden, $"{p}.se.fc2.weight", $"{p}.se.fc2.bias", stride: 1, padding: 0)]);
                y = graph.Node("Mul", [y, gate]);
            }
            string shortcut = input;
            if (block.HasShortcutProjection)
            {
                if (spec.Shortcut == ShortcutKind.Conv1x1)
                    shortcut = ConvNorm(input, $"{p}.downsample.0", $"{p}.downsample.1", 1, block.Stride, 0);
                else
                {
                    string pooled = block.Stride == 1 ? input : graph.Node("AveragePool", [input], attributes:
                        [("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { block.Stride, block.Stride }), ("ceil_mode", 1L), ("count_include_pad", 0L)]);
                    shortcut = ConvNorm(pooled, $"{p}.downsample.1", $"{p}.downsample.2", 1, 1, 0);
                }
            }
            return Activate(graph.Node("Add", [y, shortcut]));
        }

        private string ConvNorm(string input, string conv, string norm, int kernel, int stride, int padding, int groups = 1)
        {
            var weight = weights[$"{conv}.weight"];
            if (weight.shape[2] != kernel)
                throw new InvalidOperationException($"{conv}.weight is {weight.shape[2]}x{weight.shape[3]}; the plan expects {kernel}x{kernel}");
            if (!fold)
            {
                string convolved = Conv(input, $"{conv}.weight", null, stride, padding, groups);
                return graph.Node("BatchNormalization",
                    [convolved, Init($"{norm}.weight"), Init($"{norm}.bias"), Init($"{norm}.running_mean"), Init($"{norm}.running_var")],
                    attributes: ("epsilon", BatchNormEpsilon));
            }
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var scale = weights[$"{norm}.weight"].to(ScalarType.Float64) / (weights[$"{norm}.running_var"].to(ScalarType.Float64) + BatchNormEpsilon).sqrt();
            var foldedWeight = weight.to(ScalarType.Float64) * scale.view(-1, 1, 1, 1);
            var foldedBias = weights[$"{norm}.bias"].to(ScalarType.Float64) - weights[$"{norm}.running_mean"].to(ScalarType.Float64) * scale;
            string w = graph.Initializer($"{conv}.weight_folded", foldedWeight);
            string b = graph.Initializer($"{conv}.bias_folded", foldedBias);
            return ConvNode(input, w, b, kernel, stride, padding, groups);
        }

        private string Conv(string input, string weightName, string? biasName, int stride, int padding, int groups = 1)
        {
            string w = Init(weightName);
            string? b = biasName is null ? null : Init(biasName);
            return ConvNode(input, w, b, weights[weightName].shape[2], stride, padding, groups);
        }

        private string ConvNode(string input, string weight, string? bias, long kernel, int stride, int padding, int groups) =>
            graph.Node("Conv", bias is null ? [input, weight] : [input, weight, bias], attributes:
            [
                ("kernel_shape", new long[] { kernel, kernel }), ("strides", new long[] { stride, stride }),
                ("pads", new long[] { padding, padding, padding, padding }), ("group", (long)groups),
            ]);

        private string Init(string name) => graph.Initializer(name, weights[name]);

        private string Activate(string x) => activation switch
        {
            ActivationKind.ReLU => graph.Node("Relu", [x]),
            ActivationKind.LeakyReLU => graph.Node("LeakyRelu", [x], attributes: ("alpha", 0.01f)),
            ActivationKind.SiLU => graph.Node("Mul", [x, graph.Node("Sigmoid", [x])]),
            // Exact (erf) GELU; opset 17 has no Gelu operator.
            ActivationKind.GELU => graph.Node("Mul", [graph.Node("Mul", [x, Constant(0.5f)]),
                graph.Node("Add", [graph.Node("Erf", [graph.Node("Div", [x, Constant(MathF.Sqrt(2f))])]), Constant(1f)])]),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
        };

        private readonly Dictionary<float, string> _constants = [];

        private string Constant(float value)
        {
            if (!_constants.TryGetValue(value, out var name))
            {
                using var scalar = tensor(value);
                name = graph.Initializer($"const_{_constants.Count}", scalar);
                _constants[value] = name;
            }
            return name;
        }
    }
}
