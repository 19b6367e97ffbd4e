using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>How a label column stores its targets.</summary>
public enum LabelKind
{
    /// <summary>Class indices: int64 (N); -1 means no label.</summary>
    Class,

    /// <summary>Real values: float32 (N, width); NaN means no label.</summary>
    Values,
}

/// <summary>One label column of a dataset.</summary>
/// <param name="Name">Column name; a head learns from the column of its <see cref="TaskHead.Column"/>.</param>
/// <param name="Kind">Class indices or values.</param>
/// <param name="ClassNames">Class names by index (empty for values).</param>
/// <param name="Width">Values per sample (1 for classes).</param>
public sealed record LabelColumn(string Name, LabelKind Kind, IReadOnlyList<string> ClassNames, int Width = 1)
{
    /// <summary>A class column.</summary>
    public static LabelColumn Classes(string name, IReadOnlyList<string> classNames) => new(name, LabelKind.Class, classNames);

    /// <summary>A column of <paramref name="width"/> values per sample.</summary>
    public static LabelColumn Values(string name, int width = 1) => new(name, LabelKind.Values, [], width);
}

/// <summary>A batch: uint8 images (B, C, H, W) and each column's targets for the same samples. The receiver disposes it.</summary>
/// <param name="Images">uint8 pixels.</param>
/// <param name="Targets">Targets by column name.</param>
public sealed record LabelledBatch(Tensor Images, IReadOnlyDictionary<string, Tensor> Targets) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        foreach (var target in Targets.Values)
            target.Dispose();
    }
}

/// <summary>What a pass over a dataset asks for: the samples, in order, cut into batches.</summary>
/// <param name="Order">Sample indices in the order of the pass.</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="FirstBatch">Batches of the pass to leave out at the start (a resumed epoch).</param>
/// <param name="DropLast">Leave out the last batch when it is short (training), or keep it (evaluation).</param>
/// <param name="Epoch">The epoch (0-based), for datasets that draw random crops per epoch.</param>
/// <param name="Device">Where the batches go.</param>
public sealed record BatchPlan(long[] Order, int BatchSize, long FirstBatch, bool DropLast, int Epoch, Device Device)
{
    /// <summary>Batches in the pass, the skipped first ones included.</summary>
    public long BatchCount => DropLast ? Order.Length / BatchSize : (Order.Length + BatchSize - 1) / BatchSize;

    /// <summary>The indices of batch <paramref name="batch"/>.</summary>
    public long[] IndicesOf(long batch) =>
        Order.AsSpan((int)(batch * BatchSize), (int)Math.Min(BatchSize, Order.Length - batch * BatchSize)).ToArray();
}

/// <summary>
/// Labelled images for training or evaluation: what the engine needs to know about a dataset and how it
/// reads batches of it. To plug in a dataset, implement the abstract members: the images of any set of
/// indices (<see cref="ReadImages"/>) and every sample's targets per column (<see cref="Targets"/>,
/// labels only, so they are small). Built in: in-memory tensors, streamed image folders and CSV manifests.
/// </summary>
public abstract class LabelledImageSet : IDisposable
{
    /// <summary>Samples.</summary>
    public abstract long Count { get; }

    /// <summary>Channels, height and width of one image as the model sees it.</summary>
    public abstract (int Channels, int Height, int Width) ImageShape { get; }

    /// <summary>Per-channel normalisation mean of pixels in [0, 1].</summary>
    public abstract IReadOnlyList<double> Mean { get; }

    /// <summary>Per-channel normalisation standard deviation.</summary>
    public abstract IReadOnlyList<double> Std { get; }

    /// <summary>Where the data came from, for messages.</summary>
    public abstract string Source { get; }

    /// <summary>The label columns.</summary>
    public abstract IReadOnlyList<LabelColumn> Columns { get; }

    /// <summary>Every sample's targets of column <paramref name="column"/> (see <see cref="LabelKind"/>), on any device; the caller disposes them.</summary>
    public abstract Tensor Targets(string column);

    /// <summary>uint8 images (B, C, H, W) of the samples at <paramref name="indices"/>, on the CPU or <paramref name="device"/>.</summary>
    public abstract Tensor ReadImages(long[] indices, Device device);

    /// <summary>Padded random crops apply on top in training (false where the images were already randomly cropped).</summary>
    public virtual bool WantsPaddedCrop => true;

    /// <summary>The column <paramref name="name"/>, or an error listing the columns there are.</summary>
    public LabelColumn Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{Source} has no label column '{name}'; its columns: {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>
    /// The batches of a pass, in order; the receiver disposes each. By default each batch is
    /// <see cref="ReadImages"/> of its indices with the targets selected from <see cref="Targets"/>;
    /// override to stream (decode ahead) or to drop unreadable samples.
    /// </summary>
    public virtual IEnumerable<LabelledBatch> Batches(BatchPlan plan)
    {
        var targets = Columns.ToDictionary(c => c.Name, c => Targets(c.Name));
        try
        {
            for (long batch = plan.FirstBatch; batch < plan.BatchCount; batch++)
            {
                var indices = plan.IndicesOf(batch);
                using var selection = tensor(indices);
                var images = MoveTo(ReadImages(indices, plan.Device), plan.Device);
                yield return new LabelledBatch(images, targets.ToDictionary(t => t.Key, t => SelectTo(t.Value, selection, plan.Device)));
            }
        }
        finally
        {
            foreach (var target in targets.Values)
                target.Dispose();
        }
    }

    /// <summary><paramref name="tensor"/> on <paramref name="device"/>: itself when already there, else a copy (and the original is disposed).</summary>
    protected static Tensor MoveTo(Tensor tensor, Device device)
    {
        if (tensor.device_type == device.type && (device.type != TorchSharp.DeviceType.CUDA || tensor.device_index == Math.Max(0, device.index)))
            return tensor;
        using (tensor)
            return tensor.to(device);
    }

    private static Tensor SelectTo(Tensor all, Tensor indices, Device device)
    {
        using var onDevice = indices.to(all.device);
        using var selected = all.index_select(0, onDevice);
        return selected.to(device);
    }

    /// <inheritdoc />
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
