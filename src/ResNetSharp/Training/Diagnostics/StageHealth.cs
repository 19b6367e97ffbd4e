using System.Globalization;

namespace ResNetSharp.Training;

/// <summary>
/// One part of a network at an epoch's end: how large its gradients were and how many of its units are dead.
/// Parts are the backbone's stem and stages (layer1…) and each head, as in <see cref="MultiHeadNetwork.PartNames"/>.
/// </summary>
/// <param name="Part">The part's name (stem, layer1…, norm, or a head's name).</param>
/// <param name="GradientNorm">L2 norm of the part's gradients (all its parameters together), averaged over the measured steps of the epoch; NaN when none was measured (e.g. the part is frozen).</param>
/// <param name="DeadUnits">
/// Fraction of the part's output channels that are dead: zero after the activation at every position of every
/// image of the evaluation batch; NaN for parts without such an output (heads, the final norm) or backbones other than the catalog ResNet.
/// </param>
/// <param name="ZeroActivations">Fraction of all the part's activated outputs over the evaluation batch that are zero (NaN as <paramref name="DeadUnits"/>).</param>
public sealed record StageHealth(string Part, double GradientNorm, double DeadUnits, double ZeroActivations)
{
    /// <summary>A gradient norm below this is vanishing whatever the other parts do.</summary>
    public const double VanishingGradient = 1e-6;

    /// <summary>A part whose gradient norm is this many times below the median of all parts has collapsed.</summary>
    public const double CollapseRatio = 1000;

    /// <summary>A part with more than this fraction of dead channels is mostly dead.</summary>
    public const double MostlyDead = 0.5;

    /// <summary>The problems worth a warning: collapsed or vanishing gradients, mostly dead units; empty when healthy.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<StageHealth> parts)
    {
        var norms = parts.Select(p => p.GradientNorm).Where(double.IsFinite).Order().ToList();
        double median = norms.Count == 0 ? double.NaN : norms.Count % 2 == 1 ? norms[norms.Count / 2] : (norms[norms.Count / 2 - 1] + norms[norms.Count / 2]) / 2;
        var problems = new List<string>();
        foreach (var part in parts)
        {
            if (double.IsFinite(part.GradientNorm) && (part.GradientNorm < VanishingGradient || part.GradientNorm * CollapseRatio < median))
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{part.Part} gradient norm {part.GradientNorm:G3} (median of parts {median:G3})"));
            if (part.DeadUnits > MostlyDead)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{part.Part} {part.DeadUnits * 100:F0}% of channels dead"));
        }
        return problems;
    }
}
