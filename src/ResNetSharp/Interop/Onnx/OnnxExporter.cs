using System.Text.Json;
using ResNetSharp.Common;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Onnx;

/// <summary>
/// Writes a ResNet as an ONNX model (opset 17): the eval-mode network, BatchNorm optionally folded
/// into the convolutions, dynamic batch, height and width axes, the outputs <see cref="NetworkOutputs"/>
/// names (the first is what the model predicts; the last, "embedding", the pooled features), and metadata
/// (class names or the heads' descriptions, training input size, mean/std).
/// The graph is generated from the network plan and the state dict, so every catalog variant exports.
/// </summary>
public static class OnnxExporter
{
    private const float BatchNormEpsilon = 1e-5f;
    private const string InputName = "input";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    public static void Export(ResNet model, string path, OnnxExportOptions options)
    {
        byte[] bytes = ToBytes(model, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// The serialised ModelProto: outputs "logits" (N, classes) when the model has a classifier, then
    /// "embedding" (N, features), the pooled features (see <see cref="NetworkOutputs"/>).
    /// </summary>
    public static byte[] ToBytes(ResNet model, OnnxExportOptions options)
    {
        var outputs = NetworkOutputs.Of(model, options.ClassNames ?? ClassScore.IndexNames(model.NumClasses));
        var weights = StateDictOrder.Entries(model).ToDictionary(e => e.Name, e => e.Tensor);
        var builder = new Builder(new OnnxGraph(), weights, model.Spec.Activation, options.FoldBatchNorm);
        string pooled = builder.Pooled(model.Plan, InputName);
        if (model.NumClasses > 0)
            builder.Linear(pooled, "fc.weight", "fc.bias", ModelOutput.LogitsName);
        var graph = builder.Graph.ToProto("resnet", InputName, model.Spec.InChannels, outputs.Select(o => (o.Name, o.Size)).ToList());
        return Model(graph, Metadata(model.Spec.InChannels, options));
    }

    /// <summary>
    /// Writes a network with named heads (a catalog ResNet backbone) to <paramref name="path"/> atomically: one
    /// float32 (batch, outputs) output per head, named after it, then "embedding", with the heads' descriptions
    /// in the metadata.
    /// </summary>
    public static void Export(MultiHeadNetwork network, string path, OnnxExportOptions options)
    {
        byte[] bytes = ToBytes(network, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The serialised ModelProto of a network with named heads.</summary>
    public static byte[] ToBytes(MultiHeadNetwork network, OnnxExportOptions options)
    {
        var backbone = network.ResNetBackbone ?? throw new NotSupportedException("only networks with a catalog ResNet backbone export to ONNX.");
        var weights = StateDictOrder.Entries(network).ToDictionary(e => e.Name, e => e.Tensor);
        var builder = new Builder(new OnnxGraph(), weights, backbone.Spec.Activation, options.FoldBatchNorm);
        string pooled = builder.Pooled(backbone.Plan, InputName);
        foreach (var head in network.Heads)
            builder.Head(head, pooled);
        var graph = builder.Graph.ToProto("resnet", InputName, backbone.Spec.InChannels, NetworkOutputs.Of(network).Select(o => (o.Name, o.Size)).ToList());
        var metadata = Metadata(backbone.Spec.InChannels, options with { ClassNames = null })
            .Append((HeadDescription.MetadataKey, HeadDescription.ToJson(network.Heads.Select(h => h.Describe()).ToList())));
        return Model(graph, metadata);
    }

    private static byte[] Model(ProtoMessage graph, IEnumerable<(string Key, string Value)> metadata)
    {
        var modelProto = new ProtoMessage()
            .Int(1, 8) // ir_version 8 (ONNX 1.10+), enough for opset 17
            .String(2, "ResNetSharp")
            .String(3, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, graph)
            .Message(8, new ProtoMessage().String(1, "").Int(2, OnnxExportOptions.Opset));
        foreach (var (key, value) in metadata)
            modelProto.Message(14, new ProtoMessage().String(1, key).String(2, value));
        return modelProto.ToArray();
    }

    private static IEnumerable<(string, string)> Metadata(int inChannels, OnnxExportOptions options)
    {
        yield return ("input_size", $"{inChannels}x{options.Height}x{options.Width}");
        yield return ("batchnorm_folded", options.FoldBatchNorm ? "true" : "false");
        if (options.ClassNames is { } names)
            yield return ("class_names", JsonSerializer.Serialize(names));
        if (options.Preprocessing is { } p)
        {
            yield return ("preprocessing", p.ToJson());
            yield return ("mean", JsonSerializer.Serialize(p.Mean));
            yield return ("std", JsonSerializer.Serialize(p.Std));
        }
        if (options.WeightsSha256 is { } sha256)
            yield return (OnnxExportOptions.WeightsSha256Key, sha256);
    }

    /// <summary>Emits the layers of one network into a graph.</summary>
    private sealed class Builder(OnnxGraph graph, Dictionary<string, Tensor> weights, ActivationKind activation, bool fold)
    {
        public OnnxGraph Graph => graph;

        /// <summary>The backbone, pooled and flattened to (batch, features): the output "embedding", which the heads read.</summary>
        public string Pooled(NetworkPlan plan, string input) =>
            graph.Node("Flatten", [graph.Node("GlobalAveragePool", [Network(plan, input)])], ModelOutput.EmbeddingName, ("axis", 1L));

        /// <summary>x W^T + b.</summary>
        public string Linear(string x, string weight, string bias, string? output = null) =>
            graph.Node("Gemm", [x, Init(weight), Init(bias)], output, ("transB", 1L));

        /// <summary>A built-in head's layers, ending in an output named after the head.</summary>
        public string Head(TaskHead head, string pooled)
        {
            string p = head.Name;
            switch (head)
            {
                case ClassificationHead { Hidden: 0, Dropout: 0 }:
                    return Linear(pooled, $"{p}.weight", $"{p}.bias", p);
                case ClassificationHead c:
                    string x = c.Hidden > 0 ? graph.Node("Relu", [Linear(pooled, $"{p}.hidden.weight", $"{p}.hidden.bias")]) : pooled;
                    return Linear(x, $"{p}.fc.weight", $"{p}.fc.bias", p);
                case RegressionHead:
                    return graph.Node("Add", [graph.Node("Mul", [Linear(pooled, $"{p}.fc.weight", $"{p}.fc.bias"), Init($"{p}.std")]), Init($"{p}.mean")], p);
                default:
                    throw new NotSupportedException($"head '{p}' ({head.GetType().Name}) has no ONNX form; only classification and regression heads export.");
            }
        }

        public string Network(NetworkPlan plan, string input)
        {
            var spec = plan.Spec;
            string StemConv(string x, string conv, int kernel, int stride, int padding) => plan.NormAfterStem
                ? Activate(ConvNorm(x, conv, "bn1", kernel, stride, padding))
                : Conv(x, $"{conv}.weight", null, stride, padding);
            string x = spec.Stem switch
            {
                StemKind.Deep => StemConv(Activate(ConvNorm(Activate(ConvNorm(input, "conv1.0", "conv1.1", 3, 2, 1)), "conv1.3", "conv1.4", 3, 1, 1)),
                    "conv1.6", 3, 1, 1),
                StemKind.ImageNet => StemConv(input, "conv1", 7, 2, 3),
                StemKind.Cifar => StemConv(input, "conv1", 3, 1, 1),
                _ => throw new ArgumentOutOfRangeException(nameof(plan), spec.Stem, "unknown stem kind"),
            };
            if (spec.Stem != StemKind.Cifar)
                x = graph.Node("MaxPool", [x], attributes: [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 })]);
            foreach (var block in plan.Blocks)
                x = Block(block, spec, x);
            return plan.NormBeforeHead ? Activate(Norm(x, NetworkPlan.HeadNormName)) : x;
        }

        private string Block(BlockPlan block, ResNetSpec spec, string input)
        {
            string p = block.Name;
            var convs = block.Convolutions;
            string y = input, shortcutInput = input;
            switch (block.Order)
            {
                case BlockOrder.PostActivation:
                    for (int i = 0; i < convs.Count; i++)
                    {
                        y = ConvNorm(y, $"{p}.{convs[i].Conv}", $"{p}.{convs[i].Norm}", convs[i]);
                        if (i < convs.Count - 1)
                            y = Activate(y);
                    }
                    break;
                case BlockOrder.PreActivation:
                    // BN-act-conv: each norm after the first follows a convolution, so it folds into that one.
                    y = Activate(Norm(input, $"{p}.{convs[0].Norm}"));
                    if (block.Shortcut != BlockShortcut.Identity)
                        shortcutInput = y;
                    for (int i = 0; i < convs.Count; i++)
                    {
                        string conv = $"{p}.{convs[i].Conv}";
                        y = i + 1 < convs.Count
                            ? Activate(ConvNorm(y, conv, $"{p}.{convs[i + 1].Norm}", convs[i]))
                            : Conv(y, $"{conv}.weight", null, convs[i].Stride, convs[i].Padding, convs[i].Groups);
                    }
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(block), block.Order, "unknown block order");
            }
            if (spec.SqueezeExcitationRatio > 0)
            {
                string squeezed = graph.Node("ReduceMean", [y], attributes: [("axes", new long[] { 2, 3 }), ("keepdims", 1L)]);
                string hidden = graph.Node("Relu", [Conv(squeezed, $"{p}.se.fc1.weight", $"{p}.se.fc1.bias", stride: 1, padding: 0)]);
                string gate = graph.Node("Sigmoid", [Conv(hidden, $"{p}.se.fc2.weight", $"{p}.se.fc2.bias", stride: 1, padding: 0)]);
                y = graph.Node("Mul", [y, gate]);
            }
            string? shortcut = Shortcut(block, shortcutInput);
            string sum = shortcut is null ? y : graph.Node("Add", [y, shortcut]);
            return block.Order == BlockOrder.PostActivation ? Activate(sum) : sum;
        }

        private string? Shortcut(BlockPlan block, string x)
        {
            string p = block.Name;
            string Projection(string from)
            {
                var c = block.ShortcutConvolution!;
                return c.Norm is null
                    ? Conv(from, $"{p}.{c.Conv}.weight", null, c.Stride, c.Padding)
                    : ConvNorm(from, $"{p}.{c.Conv}", $"{p}.{c.Norm}", c);
            }
            switch (block.Shortcut)
            {
                case BlockShortcut.None:
                    return null;
                case BlockShortcut.Identity:
                    return x;
                case BlockShortcut.ZeroPad:
                    // x[:, :, ::s, ::s], then the new channels as zeros, half before and half after.
                    string subsampled = block.Stride == 1 ? x : graph.Node("Slice",
                        [x, Int64s([0, 0]), Int64s([long.MaxValue, long.MaxValue]), Int64s([2, 3]), Int64s([block.Stride, block.Stride])]);
                    int extra = block.OutChannels - block.InChannels, before = extra / 2;
                    return extra == 0 ? subsampled : graph.Node("Pad", [subsampled, Int64s([0, before, 0, 0, 0, extra - before, 0, 0])]);
                case BlockShortcut.Conv1x1:
                    return Projection(x);
                case BlockShortcut.AvgPoolConv:
                    return Projection(block.Stride == 1 ? x : graph.Node("AveragePool", [x], attributes:
                        [("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { block.Stride, block.Stride }), ("ceil_mode", 1L), ("count_include_pad", 0L)]));
                default:
                    throw new ArgumentOutOfRangeException(nameof(block), block.Shortcut, "unknown block shortcut");
            }
        }

        private string ConvNorm(string input, string conv, string norm, ConvPlan plan) =>
            ConvNorm(input, conv, norm, plan.Kernel, plan.Stride, plan.Padding, plan.Groups);

        private string Norm(string input, string norm) =>
            graph.Node("BatchNormalization",
                [input, Init($"{norm}.weight"), Init($"{norm}.bias"), Init($"{norm}.running_mean"), Init($"{norm}.running_var")],
                attributes: ("epsilon", BatchNormEpsilon));

        private string ConvNorm(string input, string conv, string norm, int kernel, int stride, int padding, int groups = 1)
        {
            var weight = weights[$"{conv}.weight"];
            if (weight.shape[2] != kernel)
                throw new InvalidOperationException($"{conv}.weight is {weight.shape[2]}x{weight.shape[3]}; the plan expects {kernel}x{kernel}");
            if (!fold)
                return Norm(Conv(input, $"{conv}.weight", null, stride, padding, groups), norm);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var scale = weights[$"{norm}.weight"].to(ScalarType.Float64) / weights[$"{norm}.running_var"].to(ScalarType.Float64).Plus(BatchNormEpsilon).sqrt();
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
        private readonly Dictionary<string, string> _int64Constants = [];

        /// <summary>A shared int64 vector initializer (Slice and Pad take their arguments as inputs).</summary>
        private string Int64s(long[] values)
        {
            string key = string.Join(",", values);
            if (!_int64Constants.TryGetValue(key, out var name))
            {
                name = graph.Initializer($"ints_{_int64Constants.Count}", values);
                _int64Constants[key] = name;
            }
            return name;
        }

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
