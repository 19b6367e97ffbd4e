using ResNetSharp.Imaging;

namespace ResNetSharp.Inference;

/// <summary>
/// One named output of an image model, per image a vector of <paramref name="Size"/> float32 values. The one
/// description of outputs that export, ONNX Runtime and TorchSharp inference, <c>resnet predict</c> and
/// <c>resnet serve</c> share: a plain classifier has <see cref="LogitsName"/>, a network with named heads one
/// output per head (<see cref="Of(HeadDescription)"/>), and every ResNetSharp model <see cref="EmbeddingName"/> last.
/// </summary>
/// <param name="Name">The output's name: the ONNX output's, the head's, or <see cref="LogitsName"/> / <see cref="EmbeddingName"/>.</param>
/// <param name="Kind">What the values are.</param>
/// <param name="Size">Values per image: classes, regression values, or embedding dimensions.</param>
/// <param name="Labels">Class names by index for a classification output (<paramref name="Size"/> of them); null otherwise.</param>
public sealed record ModelOutput(string Name, OutputKind Kind, int Size, IReadOnlyList<string>? Labels = null)
{
    /// <summary>The output of a plain classifier (one head, torchvision's <c>fc</c>): its logits.</summary>
    public const string LogitsName = "logits";

    /// <summary>The output of the pooled features (what every head reads), for similarity search.</summary>
    public const string EmbeddingName = "embedding";

    /// <summary>A plain classifier's logits over <paramref name="classNames"/>.</summary>
    public static ModelOutput Logits(IReadOnlyList<string> classNames) =>
        new(LogitsName, OutputKind.Classification, classNames.Count, classNames);

    /// <summary>The pooled features, <paramref name="dimensions"/> of them.</summary>
    public static ModelOutput Embedding(int dimensions) => new(EmbeddingName, OutputKind.Embedding, dimensions);

    /// <summary>
    /// The output of the head <paramref name="head"/> describes, named after it: a classification head's
    /// logits with its class names, a regression head's values in the targets' units, or a custom head's values.
    /// </summary>
    public static ModelOutput Of(HeadDescription head) => head.Kind switch
    {
        HeadDescription.ClassificationKind => new(head.Name, OutputKind.Classification, head.Outputs, head.ClassNames),
        HeadDescription.RegressionKind => new(head.Name, OutputKind.Regression, head.Outputs),
        _ => new(head.Name, OutputKind.Values, head.Outputs),
    };
}
