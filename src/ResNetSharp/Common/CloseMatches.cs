namespace ResNetSharp.Common;

/// <summary>Finds the known names closest to a mistyped one, for "did you mean" errors.</summary>
public static class CloseMatches
{
    /// <summary>
    /// The candidates within a small edit distance of <paramref name="name"/> (or containing it), closest first.
    /// </summary>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates, int max = 5)
    {
        string wanted = name.ToLowerInvariant();
        int limit = Math.Max(2, wanted.Length / 3);
        return candidates
            .Select(c => (Candidate: c, Distance: EditDistance(wanted, c.ToLowerInvariant())))
            .Where(x => x.Distance <= limit || x.Candidate.Contains(wanted, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.Distance).ThenBy(x => x.Candidate, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Candidate)
            .ToList();
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost 1.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
