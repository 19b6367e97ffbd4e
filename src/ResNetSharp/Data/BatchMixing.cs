using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Data;

/// <summary>Mixup and CutMix strengths; an alpha of 0 turns that one off. With both on, each batch uses one of them at random.</summary>
/// <param name="MixupAlpha">Mixup (Zhang et al. 2018): images blended with weight λ ~ Beta(α, α).</param>
/// <param name="CutmixAlpha">CutMix (Yun et al. 2019): a box of area (1 - λ) pasted from another image.</param>
public sealed record MixingOptions(double MixupAlpha = 0, double CutmixAlpha = 0)
{
    /// <summary>Whether any mixing happens.</summary>
    public bool Enabled => MixupAlpha > 0 || CutmixAlpha > 0;
}

/// <summary>A mixed batch: the loss is λ · loss(<see cref="Labels"/>) + (1 - λ) · loss(<see cref="PartnerLabels"/>).</summary>
/// <param name="Images">The mixed images.</param>
/// <param name="Labels">The original labels.</param>
/// <param name="PartnerLabels">Labels of the images mixed in (the batch reversed).</param>
/// <param name="Lambda">Weight of the original labels, corrected for CutMix's clipped box.</param>
public sealed record MixedBatch(Tensor Images, Tensor Labels, Tensor PartnerLabels, double Lambda);

/// <summary>
/// Mixup and CutMix on whole batches on the batch's device, as timm's batch mode: every image is mixed
/// with its mirror in the batch (index B-1-i), with one λ per batch. Random choices come from the
/// caller's <see cref="Random"/>, so a step is reproducible from its seed.
/// </summary>
public static class BatchMixing
{
    /// <summary>Mixes normalised images (B, C, H, W) and labels (B).</summary>
    public static MixedBatch Apply(Tensor images, Tensor labels, MixingOptions options, Random random)
    {
        var (mixed, lambda) = Mix(images, options, random);
        return new MixedBatch(mixed, labels, labels.flip(0), lambda);
    }

    /// <summary>
    /// Mixes normalised images (B, C, H, W) with the batch reversed; returns them and λ, the weight of each
    /// image's own targets (the partner's targets are any target tensor's flip(0)).
    /// </summary>
    public static (Tensor Images, double Lambda) Mix(Tensor images, MixingOptions options, Random random)
    {
        bool cutmix = options.CutmixAlpha > 0 && (options.MixupAlpha <= 0 || random.NextDouble() < 0.5);
        double lambda = BetaSample(cutmix ? options.CutmixAlpha : options.MixupAlpha, random);
        using var scope = NewDisposeScope();
        using var partner = images.flip(0);
        Tensor mixed;
        if (cutmix)
        {
            long h = images.shape[2], w = images.shape[3];
            var (top, bottom, left, right) = CutBox(h, w, lambda, random);
            mixed = images.clone();
            if (bottom > top && right > left)
                mixed.narrow(2, top, bottom - top).narrow(3, left, right - left)
                    .copy_(partner.narrow(2, top, bottom - top).narrow(3, left, right - left));
            lambda = 1.0 - (double)(bottom - top) * (right - left) / (h * w);
        }
        else
        {
            mixed = images.Times(lambda).AddInPlace(partner, 1.0 - lambda);
        }
        return (mixed.MoveToOuterDisposeScope(), lambda);
    }

    /// <summary>timm's rand_bbox: a box of side sqrt(1 - λ) times the image's, centred uniformly, clipped to the image.</summary>
    public static (long Top, long Bottom, long Left, long Right) CutBox(long height, long width, double lambda, Random random)
    {
        double ratio = Math.Sqrt(1.0 - lambda);
        long cutH = (long)(height * ratio), cutW = (long)(width * ratio);
        long cy = random.NextInt64(height), cx = random.NextInt64(width);
        return (Math.Clamp(cy - cutH / 2, 0, height), Math.Clamp(cy + cutH / 2, 0, height),
            Math.Clamp(cx - cutW / 2, 0, width), Math.Clamp(cx + cutW / 2, 0, width));
    }

    /// <summary>A sample of Beta(α, α) from two gamma variates.</summary>
    public static double BetaSample(double alpha, Random random)
    {
        double a = GammaSample(alpha, random), b = GammaSample(alpha, random);
        return a + b > 0 ? a / (a + b) : 0.5;
    }

    // Marsaglia and Tsang (2000); for shape < 1, Gamma(shape + 1) * U^(1 / shape).
    private static double GammaSample(double shape, Random random)
    {
        if (shape < 1)
            return GammaSample(shape + 1, random) * Math.Pow(1.0 - random.NextDouble(), 1.0 / shape);
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = 1.0 - random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
                return d * v;
        }
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
