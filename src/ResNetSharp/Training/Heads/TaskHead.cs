using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// One output of a network and how it learns: the layer that maps pooled backbone features to its outputs,
/// its loss, and its metrics. Classification and regression are built in; subclass this for any other
/// (a head's own loss, its own metrics). The loss must ignore samples that have no label for this head
/// (datasets mark them: -1 for class indices, NaN for values), so partly labelled data trains every head
/// on what it has.
/// </summary>
public abstract class TaskHead
{
    /// <param name="name">The head's name: its outputs' name, its parameters' prefix, and the label column it reads by default.</param>
    /// <param name="weight">Weight of its loss in the network's total.</param>
    protected TaskHead(string name, double weight = 1.0)
    {
        if (!IsValidName(name))
            throw new ArgumentException(name == ModelOutput.EmbeddingName
                ? $"head name '{name}' is the name of the pooled features' output; choose another."
                : $"head name '{name}' must be letters, digits and '_', starting with a letter.", nameof(name));
        if (weight < 0 || !double.IsFinite(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "a head's loss weight must be 0 or more.");
        Name = name;
        Weight = weight;
        Column = name;
    }

    /// <summary>The head's name.</summary>
    public string Name { get; }

    /// <summary>Weight of this head's loss in the total.</summary>
    public double Weight { get; }

    /// <summary>The dataset label column this head learns from (default: <see cref="Name"/>).</summary>
    public string Column { get; init; }

    /// <summary>Outputs per sample.</summary>
    public abstract int Outputs { get; }

    /// <summary>A new layer from pooled features (N, <paramref name="features"/>) float32 to outputs (N, <see cref="Outputs"/>).</summary>
    public abstract nn.Module<Tensor, Tensor> CreateModule(int features);

    /// <summary>
    /// The loss of a batch: a float32 scalar averaged over the samples that have a label (0 when none has),
    /// from outputs (N, <see cref="Outputs"/>) float32 and this head's targets as the dataset gives them.
    /// </summary>
    public abstract Tensor Loss(Tensor outputs, Tensor targets);

    /// <summary>A fresh accumulator of this head's evaluation metrics on <paramref name="device"/>.</summary>
    public abstract HeadMetrics CreateMetrics(Device device);

    /// <summary>What the head is, for weights and ONNX metadata (so later commands need no flags).</summary>
    public abstract HeadDescription Describe();

    /// <summary>
    /// Whether <paramref name="name"/> can name a head: letters, digits and '_', starting with a letter, and not
    /// <see cref="ModelOutput.EmbeddingName"/> (every exported and served model has that output for its pooled features).
    /// </summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
        && name != ModelOutput.EmbeddingName;

    /// <summary>The mean of <paramref name="perSample"/> over the samples where <paramref name="labelled"/> holds (0 when none does).</summary>
    protected static Tensor MaskedMean(Tensor perSample, Tensor labelled)
    {
        using var scope = NewDisposeScope();
        var mask = labelled.to(perSample.dtype);
        return perSample.mul(mask).sum().div_(mask.sum().ClampMinInPlace(1)).MoveToOuterDisposeScope();
    }
}
