namespace ResNetSharp.Common;

/// <summary>Finds the known names closest to a mistyped one, for "did you mean" errors.</summary>
public static class CloseMatches
{
    /// <summary>
    /// The candidates at the smallest edit distance from <paramref name="name"/> (case-insensitive), if that
    /// distance is small for the name's length; else the candidates that contain it. At most <paramref name="max"/>.
    /// </summary>
    /// <remarks>A swap of two neighbouring letters is one edit, so resnet81 suggests resnet18 alone.</remarks>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates, int max = 5)
    {
        string wanted = name.ToLowerInvariant();
        int limit = Math.Max(2, wanted.Length / 3);
        // Names whose lengths differ by more than the limit are never near; skipping them keeps a huge name cheap.
        var scored = candidates.Distinct()
            .Select(c => (Candidate: c, Distance: Math.Abs(c.Length - wanted.Length) > limit ? int.MaxValue : EditDistance(wanted, c.ToLowerInvariant())))
            .ToList();
        var near = scored.Where(x => x.Distance <= limit).ToList();
        var chosen = near.Count > 0
            ? near.Where(x => x.Distance == near.Min(n => n.Distance))
            : scored.Where(x => wanted.Length > 0 && x.Candidate.Contains(wanted, StringComparison.OrdinalIgnoreCase));
        return chosen.OrderBy(x => x.Distance).ThenBy(x => x.Candidate, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Candidate)
            .ToList();
    }

    /// <summary>
    /// Edit distance: insertions, deletions, substitutions and swaps of two neighbouring characters each
    /// cost 1 (the optimal-string-alignment form of Damerau-Levenshtein).
    /// </summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
