using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Images and targets held as tensors (on the training device, for small datasets such as the MNIST
/// family and CIFAR): a batch is an index_select where the data lives, with no copy from the host.
/// </summary>
public sealed class InMemoryImageSet : LabelledImageSet
{
    private readonly Tensor _images;
    private readonly Dictionary<string, Tensor> _targets;
    private readonly bool _owns;

    /// <summary>Name of the one class column of a single-label dataset.</summary>
    public const string ClassColumn = "class";

    /// <param name="images">uint8 (N, C, H, W).</param>
    /// <param name="columns">The label columns.</param>
    /// <param name="targets">Each column's targets, on the images' device.</param>
    /// <param name="mean">Per-channel mean.</param>
    /// <param name="std">Per-channel standard deviation.</param>
    /// <param name="source">Where the data came from.</param>
    /// <param name="owns">Dispose the tensors with this set.</param>
    public InMemoryImageSet(Tensor images, IReadOnlyList<LabelColumn> columns, IReadOnlyDictionary<string, Tensor> targets,
        IReadOnlyList<double> mean, IReadOnlyList<double> std, string source, bool owns = true)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Byte)
            throw new ArgumentException($"{source}: images must be uint8 (N, C, H, W); got {images.dtype} ({string.Join(", ", images.shape)}).", nameof(images));
        foreach (var column in columns)
            if (!targets.TryGetValue(column.Name, out var t) || t.shape[0] != images.shape[0])
                throw new ArgumentException($"{source}: column '{column.Name}' needs one target per image ({images.shape[0]}).", nameof(targets));
        _images = images;
        _targets = new Dictionary<string, Tensor>(targets, StringComparer.Ordinal);
        Columns = columns;
        Mean = mean;
        Std = std;
        Source = source;
        _owns = owns;
    }

    /// <summary>A single-label dataset as a set with one class column named <see cref="ClassColumn"/>; it shares the dataset's tensors (dispose the dataset yourself).</summary>
    public static InMemoryImageSet From(ImageDataset data) =>
        new(data.Images, [LabelColumn.Classes(ClassColumn, data.ClassNames)], new Dictionary<string, Tensor> { [ClassColumn] = data.Labels },
            data.Mean, data.Std, data.Source, owns: false);

    /// <inheritdoc />
    public override long Count => _images.shape[0];

    /// <inheritdoc />
    public override (int Channels, int Height, int Width) ImageShape => ((int)_images.shape[1], (int)_images.shape[2], (int)_images.shape[3]);

    /// <inheritdoc />
    public override IReadOnlyList<double> Mean { get; }

    /// <inheritdoc />
    public override IReadOnlyList<double> Std { get; }

    /// <inheritdoc />
    public override string Source { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LabelColumn> Columns { get; }

    /// <inheritdoc />
    public override Tensor Targets(string column) => _targets[Column(column).Name].alias();

    /// <inheritdoc />
    public override Tensor ReadImages(long[] indices, Device device)
    {
        using var selection = tensor(indices);
        using var onDevice = selection.to(_images.device);
        return _images.index_select(0, onDevice);
    }

    /// <inheritdoc />
    public override IEnumerable<LabelledBatch> Batches(BatchPlan plan)
    {
        using var order = tensor(plan.Order);
        using var onDevice = order.to(_images.device);
        for (long batch = plan.FirstBatch; batch < plan.BatchCount; batch++)
        {
            long start = batch * plan.BatchSize, count = Math.Min(plan.BatchSize, plan.Order.Length - start);
            using var indices = onDevice.narrow(0, start, count);
            yield return new LabelledBatch(MoveTo(_images.index_select(0, indices), plan.Device),
                _targets.ToDictionary(t => t.Key, t => MoveTo(t.Value.index_select(0, indices), plan.Device)));
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_owns)
        {
            _images.Dispose();
            foreach (var target in _targets.Values)
                target.Dispose();
        }
        base.Dispose();
    }
}
