namespace ResNetSharp.Interop;

/// <summary>A tensor whose shape in the file differs from the model's.</summary>
/// <param name="Name">State-dict name.</param>
/// <param name="Expected">Shape in the model.</param>
/// <param name="Found">Shape in the file.</param>
public sealed record ShapeMismatch(string Name, long[] Expected, long[] Found)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: model [{string.Join(", ", Expected)}], file [{string.Join(", ", Found)}]";
}

/// <summary>What a weight load did and did not match. Nothing is skipped without appearing here.</summary>
/// <param name="Loaded">Names copied into the model.</param>
/// <param name="Missing">In the model, not in the file.</param>
/// <param name="Unexpected">In the file, not in the model.</param>
/// <param name="ShapeMismatches">In both, with different shapes (not copied).</param>
public sealed record WeightLoadReport(
    IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected,
    IReadOnlyList<ShapeMismatch> ShapeMismatches)
{
    /// <summary>True when every model tensor was loaded and the file held nothing else.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>A short multi-line description for errors and logs.</summary>
    public string Describe(int maxPerList = 8)
    {
        var lines = new List<string> { $"loaded {Loaded.Count}" };
        void Add(string title, IReadOnlyList<string> items)
        {
            if (items.Count == 0)
                return;
            string more = items.Count > maxPerList ? $", … ({items.Count - maxPerList} more)" : "";
            lines.Add($"{title} ({items.Count}): {string.Join(", ", items.Take(maxPerList))}{more}");
        }
        Add("missing from the file", Missing);
        Add("unexpected in the file", Unexpected);
        Add("shape mismatches", ShapeMismatches.Select(m => m.ToString()).ToList());
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>A strict weight load that did not match; the model was left unchanged.</summary>
public sealed class WeightLoadException(string source, WeightLoadReport report)
    : FormatException($"{source}: weights do not match the model (nothing was loaded):{Environment.NewLine}{report.Describe()}")
{
    /// <summary>What matched and what did not.</summary>
    public WeightLoadReport Report { get; } = report;
}
