using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Whether a <see cref="MetricTarget"/> names a metric the network's heads report, and the error when it does not.</summary>
internal static class TargetMetrics
{
    /// <summary>
    /// Throws the <see cref="NotAMetricOf"/> error unless a head (the target's, or any when it names none) reports
    /// the target's metric: checked before the first step, so a typo costs no epoch. The metric names are those
    /// of each head's empty accumulator; when a custom head's cannot report without samples, the check waits for
    /// the first evaluation.
    /// </summary>
    public static void Check(MetricTarget target, IReadOnlyList<TaskHead> heads)
    {
        var names = new List<(string Head, IEnumerable<string> Metrics)>();
        foreach (var head in heads)
        {
            using var metrics = head.CreateMetrics(CPU);
            HeadResult empty;
            try
            {
                empty = metrics.Result();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return;
            }
            names.Add((head.Name, empty.Metrics.Select(m => m.Name).ToList()));
        }
        if (!names.Any(h => (target.Head is null || h.Head == target.Head) && h.Metrics.Contains(target.Metric)))
            throw NotAMetricOf(target, names);
    }

    /// <summary>run.target names no metric of <paramref name="heads"/>: the error lists every head's metrics.</summary>
    public static ConfigException NotAMetricOf(MetricTarget target, IEnumerable<(string Head, IEnumerable<string> Metrics)> heads) =>
        new("run.target", target, $"a metric of the heads ({string.Join("; ", heads.Select(h => $"{h.Head}: {string.Join(", ", h.Metrics)}"))})");
}
