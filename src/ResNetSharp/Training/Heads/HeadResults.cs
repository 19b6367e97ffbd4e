using System.Text.Json.Serialization;

namespace ResNetSharp.Training;

/// <summary>A named metric value and which way is better.</summary>
/// <param name="Name">top1, top5, mae, rmse, loss, or a custom head's own.</param>
/// <param name="Value">The value.</param>
/// <param name="HigherIsBetter">Whether larger values are better (accuracies) or worse (errors, losses).</param>
public sealed record Metric(string Name, double Value, bool HigherIsBetter);

/// <summary>What one head scored on an evaluation set. Subclass it for a custom head's metrics.</summary>
/// <param name="Samples">Samples that had a label for this head.</param>
/// <param name="Loss">Mean loss over them.</param>
public abstract record HeadResult(long Samples, double Loss)
{
    /// <summary>The metrics, the first being the head's main one (the one "best" weights are chosen by).</summary>
    [JsonIgnore]
    public abstract IReadOnlyList<Metric> Metrics { get; }

    /// <summary>The metric named <paramref name="name"/>, or null.</summary>
    public Metric? Find(string name) => Metrics.FirstOrDefault(m => m.Name == name);
}

/// <summary>Results of evaluating a classifier on a dataset.</summary>
/// <param name="Samples">Images evaluated.</param>
/// <param name="Top1">Fraction whose highest logit is the label.</param>
/// <param name="Top5">Fraction whose label is among the five highest logits.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="PerClassAccuracy">Top-1 accuracy of each class (NaN for a class with no samples).</param>
/// <param name="Confusion">Counts: row = true class, column = predicted class.</param>
/// <param name="ClassNames">Class names by index.</param>
public sealed record EvaluationResult(
    long Samples, double Top1, double Top5, double Loss, IReadOnlyList<double> PerClassAccuracy,
    IReadOnlyList<long[]> Confusion, IReadOnlyList<string> ClassNames) : HeadResult(Samples, Loss)
{
    /// <inheritdoc />
    [JsonIgnore]
    public override IReadOnlyList<Metric> Metrics => [new("top1", Top1, true), new("top5", Top5, true), new("loss", Loss, false)];
}

/// <summary>Results of a regression head, in the targets' units.</summary>
/// <param name="Samples">Samples with at least one labelled value.</param>
/// <param name="Loss">Mean training loss (on standardised values).</param>
/// <param name="Mae">Mean absolute error over all labelled values.</param>
/// <param name="Rmse">Root mean squared error over all labelled values.</param>
/// <param name="MaePerOutput">Mean absolute error of each output.</param>
/// <param name="RmsePerOutput">Root mean squared error of each output.</param>
public sealed record RegressionResult(long Samples, double Loss, double Mae, double Rmse,
    IReadOnlyList<double> MaePerOutput, IReadOnlyList<double> RmsePerOutput) : HeadResult(Samples, Loss)
{
    /// <inheritdoc />
    [JsonIgnore]
    public override IReadOnlyList<Metric> Metrics => [new("mae", Mae, false), new("rmse", Rmse, false), new("loss", Loss, false)];
}

/// <summary>An evaluation of every head of a network, in head order.</summary>
/// <param name="Heads">Each head's results, by name.</param>
/// <param name="Loss">The weighted sum of the heads' mean losses.</param>
public sealed record NetworkEvaluation(IReadOnlyDictionary<string, HeadResult> Heads, double Loss)
{
    /// <summary>The first classification head's results (a single-head classifier's), or null.</summary>
    [JsonIgnore]
    public EvaluationResult? Classification => Heads.Values.OfType<EvaluationResult>().FirstOrDefault();

    /// <summary>The metric a target names, or null: <paramref name="head"/> null means the first head that has it.</summary>
    public (string Head, Metric Metric)? Find(string? head, string metric) =>
        Heads.Where(h => head is null || h.Key == head).Select(h => (h.Key, h.Value.Find(metric)))
            .Where(h => h.Item2 is not null).Select(h => ((string, Metric)?)(h.Key, h.Item2!)).FirstOrDefault();
}
