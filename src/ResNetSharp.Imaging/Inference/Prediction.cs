namespace ResNetSharp.Inference;

/// <summary>A model's answer for one image: every output by name.</summary>
/// <param name="Outputs">Output name to its values for this image (see <see cref="ImageModelInfo.Outputs"/>).</param>
/// <param name="Model">The model that answered, for output kinds and class names.</param>
public sealed record Prediction(IReadOnlyDictionary<string, float[]> Outputs, ImageModelInfo Model)
{
    /// <summary>
    /// The <paramref name="k"/> most likely classes of a classification output (the first one when
    /// <paramref name="output"/> is null), best first, with softmax probabilities.
    /// </summary>
    public IReadOnlyList<ClassScore> Top(int k, string? output = null)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), $"k must be 1 or more; got {k}.");
        var head = output is null
            ? Model.Classification ?? throw new InvalidOperationException($"{Model.Name} has no classification output.")
            : Model.Output(output);
        if (head.Kind != OutputKind.Classification)
            throw new InvalidOperationException($"{Model.Name}'s output \"{head.Name}\" holds {head.Kind.ToString().ToLowerInvariant()} values, not class logits.");
        return ClassScore.TopK(Outputs[head.Name], Math.Min(k, head.Size), head.Labels ?? ClassScore.IndexNames(head.Size));
    }

    /// <summary>The embedding (pooled features); an error when the model gives none.</summary>
    public float[] Embedding =>
        Model.Embedding is { } embedding ? Outputs[embedding.Name] : throw new InvalidOperationException($"{Model.Name} has no embedding output.");
}
