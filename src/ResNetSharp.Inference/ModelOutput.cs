namespace ResNetSharp.Inference;

/// <summary>One named output of an image model, per image a vector of <paramref name="Size"/> float32 values.</summary>
/// <param name="Name">The output's name (the ONNX output name; "logits" and "embedding" for a one-head ResNet).</param>
/// <param name="Kind">Classification logits or an embedding.</param>
/// <param name="Size">Values per image: classes, or embedding dimensions.</param>
/// <param name="Labels">Class names by index for a classification output (<paramref name="Size"/> of them); null for an embedding.</param>
public sealed record ModelOutput(string Name, OutputKind Kind, int Size, IReadOnlyList<string>? Labels = null);
