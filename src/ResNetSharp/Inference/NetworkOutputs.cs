using ResNetSharp.Models;
using ResNetSharp.Training;

namespace ResNetSharp.Inference;

/// <summary>
/// The outputs a network gives as an image model, in order: what <see cref="TorchImageModel"/> returns and
/// what <see cref="Interop.Onnx.OnnxExporter"/> names its graph outputs, so the two engines answer alike.
/// First what it predicts (a plain ResNet's <see cref="ModelOutput.LogitsName"/>, or one output per head named
/// after it), then <see cref="ModelOutput.EmbeddingName"/>, the pooled features every head reads.
/// </summary>
public static class NetworkOutputs
{
    /// <summary>A ResNet: its logits over <paramref name="classNames"/> (none for a ResNet without classifier), then the embedding.</summary>
    public static IReadOnlyList<ModelOutput> Of(ResNet model, IReadOnlyList<string> classNames)
    {
        if (model.NumClasses > 0 && classNames.Count != model.NumClasses)
            throw new ArgumentException($"{classNames.Count} class names for {model.NumClasses} classes.", nameof(classNames));
        return model.NumClasses > 0
            ? [ModelOutput.Logits(classNames), ModelOutput.Embedding(model.NumFeatures)]
            : [ModelOutput.Embedding(model.NumFeatures)];
    }

    /// <summary>A network with named heads: each head's output, as its description says, then the embedding.</summary>
    public static IReadOnlyList<ModelOutput> Of(MultiHeadNetwork network) =>
        [.. network.Heads.Select(h => ModelOutput.Of(h.Describe())), ModelOutput.Embedding(network.NumFeatures)];
}
