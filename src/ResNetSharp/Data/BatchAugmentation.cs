using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Data;

/// <summary>Which augmentations to apply to training batches.</summary>
/// <param name="CropPadding">Random crop after zero padding by this many pixels on each side; 0 = off.</param>
/// <param name="HorizontalFlip">Flip half of the images left-right.</param>
/// <param name="ErasingProbability">Random erasing (cutout): probability per image; 0 = off.</param>
/// <param name="ErasingSize">Side of the erased square as a fraction of the image side.</param>
public sealed record AugmentationOptions(int CropPadding = 4, bool HorizontalFlip = true, double ErasingProbability = 0.0, double ErasingSize = 0.5)
{
    /// <summary>No augmentation: evaluation batches.</summary>
    public static AugmentationOptions None { get; } = new(0, false, 0);
}

/// <summary>
/// Turns uint8 image batches into normalised float batches on the batch's own device, augmenting whole
/// batches at once with tensor operations (no per-image host loop). Random choices come from a generator
/// the caller seeds, so a step is reproducible from (seed, step).
/// </summary>
public static class BatchAugmentation
{
    /// <summary>
    /// uint8 (B, C, H, W) to float32 (B, C, H, W): augmented when <paramref name="options"/> asks, then
    /// normalised with the dataset's mean and std. Erased regions are zero after normalisation (the mean).
    /// </summary>
    public static Tensor Apply(Tensor images, IReadOnlyList<double> mean, IReadOnlyList<double> std,
        AugmentationOptions options, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var x = images.to(ScalarType.Float32).DivInPlace(255.0);
        if (options.CropPadding > 0)
            x = RandomCrop(x, options.CropPadding, generator);
        if (options.HorizontalFlip)
            x = RandomFlip(x, generator);
        x = Normalize(x, mean, std);
        if (options.ErasingProbability > 0)
            x = RandomErase(x, options.ErasingProbability, options.ErasingSize, generator);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (x - mean) / std per channel. The per-channel constants are filled in on x's device: a tensor made
    /// from host values would be a copy that makes the host wait for the GPU at every batch.
    /// </summary>
    public static Tensor Normalize(Tensor x, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        using var scope = NewDisposeScope();
        return x.sub(ChannelConstants(mean, x)).div_(ChannelConstants(std, x)).MoveToOuterDisposeScope();
    }

    private static Tensor ChannelConstants(IReadOnlyList<double> values, Tensor like) =>
        cat(values.Select(v => full(1, (float)v, ScalarType.Float32, like.device)).ToArray()).view(1, -1, 1, 1);

    private static Tensor RandomCrop(Tensor x, int padding, Generator? generator)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var padded = nn.functional.pad(x, [padding, padding, padding, padding]);
        var dy = randint(0, 2 * padding + 1, [b, 1], ScalarType.Int64, x.device, generator: generator);
        var dx = randint(0, 2 * padding + 1, [b, 1], ScalarType.Int64, x.device, generator: generator);
        var rows = (arange(h, ScalarType.Int64, x.device).unsqueeze(0) + dy).view(b, 1, h, 1).expand(b, c, h, w + 2 * padding);
        var cropped = padded.gather(2, rows);
        var cols = (arange(w, ScalarType.Int64, x.device).unsqueeze(0) + dx).view(b, 1, 1, w).expand(b, c, h, w);
        return cropped.gather(3, cols);
    }

    private static Tensor RandomFlip(Tensor x, Generator? generator)
    {
        var flip = rand([x.shape[0], 1, 1, 1], device: x.device, generator: generator).Below(0.5);
        return where(flip, x.flip(3), x);
    }

    private static Tensor RandomErase(Tensor x, double probability, double size, Generator? generator)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        long eh = Math.Max(1, (long)Math.Round(h * size)), ew = Math.Max(1, (long)Math.Round(w * size));
        var apply = rand([b, 1, 1], device: x.device, generator: generator).Below(probability);
        var top = randint(0, h - eh + 1, [b, 1, 1], ScalarType.Int64, x.device, generator: generator);
        var left = randint(0, w - ew + 1, [b, 1, 1], ScalarType.Int64, x.device, generator: generator);
        var ys = arange(h, ScalarType.Int64, x.device).view(1, h, 1);
        var xs = arange(w, ScalarType.Int64, x.device).view(1, 1, w);
        var inside = ys.ge(top).logical_and(ys.lt(top + eh)).logical_and(xs.ge(left)).logical_and(xs.lt(left + ew));
        var erase = inside.logical_and(apply).unsqueeze(1);
        return x.MaskedFill(erase, 0.0);
    }
}
