namespace ResNetSharp.Inference;

/// <summary>One class of a top-k list.</summary>
/// <param name="Index">Output index.</param>
/// <param name="Name">Class name.</param>
/// <param name="Probability">Softmax probability over all outputs.</param>
public sealed record ClassScore(int Index, string Name, double Probability)
{
    /// <summary>The <paramref name="k"/> highest logits, best first, with softmax probabilities.</summary>
    public static IReadOnlyList<ClassScore> TopK(IReadOnlyList<float> logits, int k, IReadOnlyList<string> classNames)
    {
        if (classNames.Count != logits.Count)
            throw new ArgumentException($"{logits.Count} logits but {classNames.Count} class names.", nameof(classNames));
        double max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = exp.Sum();
        return Enumerable.Range(0, logits.Count).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(k)
            .Select(i => new ClassScore(i, classNames[i], exp[i] / sum)).ToList();
    }

    /// <summary>"0", "1", ...: the names of classes that have none.</summary>
    public static IReadOnlyList<string> IndexNames(int count) =>
        Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
}
