using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Where a run's training batches come from: uint8 images (B, C, H, W) and int64 labels on the training
/// device, for the steps of an epoch in the order a shuffle gives. The batches of a step depend only on
/// the seed, the epoch and the step, so a resumed run sees the same batches.
/// </summary>
internal abstract class TrainingBatches : IDisposable
{
    /// <summary>Training images.</summary>
    public abstract long Count { get; }

    /// <summary>Channels, height and width of one image as the model sees it.</summary>
    public abstract (int Channels, int Height, int Width) ImageShape { get; }

    /// <summary>Class names by label.</summary>
    public abstract IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per-channel normalisation mean.</summary>
    public abstract IReadOnlyList<double> Mean { get; }

    /// <summary>Per-channel normalisation standard deviation.</summary>
    public abstract IReadOnlyList<double> Std { get; }

    /// <summary>Where the data came from, for messages.</summary>
    public abstract string Source { get; }

    /// <summary>Padded random crops apply on top (false where the images were already randomly cropped).</summary>
    public abstract bool WantsPaddedCrop { get; }

    /// <summary>
    /// The batches of steps <paramref name="firstStep"/> onwards of an epoch whose sample order is
    /// <paramref name="order"/> (a permutation on the CPU). The caller disposes each batch's tensors.
    /// </summary>
    public abstract IEnumerable<(Tensor Images, Tensor Labels)> Epoch(Tensor order, int epoch, long firstStep, int batchSize);

    /// <inheritdoc />
    public abstract void Dispose();
}

/// <summary>A dataset held on the training device: a batch is an index_select, no copy from the host.</summary>
internal sealed class InMemoryBatches(ImageDataset data) : TrainingBatches
{
    public override long Count => data.Count;
    public override (int Channels, int Height, int Width) ImageShape => data.ImageShape;
    public override IReadOnlyList<string> ClassNames => data.ClassNames;
    public override IReadOnlyList<double> Mean => data.Mean;
    public override IReadOnlyList<double> Std => data.Std;
    public override string Source => data.Source;
    public override bool WantsPaddedCrop => true;

    public override IEnumerable<(Tensor Images, Tensor Labels)> Epoch(Tensor order, int epoch, long firstStep, int batchSize)
    {
        using var onDevice = order.to(data.Images.device);
        long steps = Count / batchSize;
        for (long step = firstStep; step < steps; step++)
        {
            using var indices = onDevice.narrow(0, step * batchSize, batchSize);
            yield return (data.Images.index_select(0, indices), data.Labels.index_select(0, indices));
        }
    }

    public override void Dispose() => data.Dispose();
}
