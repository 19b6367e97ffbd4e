using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Another set's images resized to <see cref="Side"/> x <see cref="Side"/> batch by batch, where the batch
/// lives (on the training device for the built-in datasets), so a 28x28 dataset can feed a 224x224 model
/// without holding 64 times its pixels. Labels, statistics and source are the inner set's.
/// </summary>
public sealed class ResizedImageSet : LabelledImageSet
{
    private readonly LabelledImageSet _inner;

    /// <param name="inner">The set to resize (disposed with this one).</param>
    /// <param name="side">Output height and width in pixels.</param>
    public ResizedImageSet(LabelledImageSet inner, int side)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        _inner = inner;
        Side = side;
    }

    /// <summary>Output height and width in pixels.</summary>
    public int Side { get; }

    /// <summary>
    /// uint8 images (N, C, H, W) resized to <paramref name="side"/> x <paramref name="side"/> as torchvision's
    /// <c>Resize(side, antialias=True)</c> does on uint8 tensors: bilinear on float values (antialiased when
    /// shrinking), rounded and saturated back to uint8.
    /// </summary>
    public static Tensor Resize(Tensor images, int side)
    {
        using var scope = NewDisposeScope();
        if (images.shape[2] == side && images.shape[3] == side)
            return images.alias().MoveToOuterDisposeScope();
        var resized = nn.functional.interpolate(images.to(ScalarType.Float32), [side, side], mode: InterpolationMode.Bilinear,
            align_corners: false, antialias: true);
        return resized.round_().clamp_(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override long Count => _inner.Count;

    /// <inheritdoc />
    public override (int Channels, int Height, int Width) ImageShape => (_inner.ImageShape.Channels, Side, Side);

    /// <inheritdoc />
    public override IReadOnlyList<double> Mean => _inner.Mean;

    /// <inheritdoc />
    public override IReadOnlyList<double> Std => _inner.Std;

    /// <inheritdoc />
    public override string Source => _inner.Source;

    /// <inheritdoc />
    public override IReadOnlyList<LabelColumn> Columns => _inner.Columns;

    /// <inheritdoc />
    public override bool WantsPaddedCrop => _inner.WantsPaddedCrop;

    /// <inheritdoc />
    public override Tensor Targets(string column) => _inner.Targets(column);

    /// <inheritdoc />
    public override Tensor ReadImages(long[] indices, Device device)
    {
        using var images = _inner.ReadImages(indices, device);
        return Resize(images, Side);
    }

    /// <inheritdoc />
    public override IEnumerable<LabelledBatch> Batches(BatchPlan plan)
    {
        foreach (var batch in _inner.Batches(plan))
        {
            using (batch.Images)
                yield return batch with { Images = Resize(batch.Images, Side) };
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _inner.Dispose();
        base.Dispose();
    }
}
