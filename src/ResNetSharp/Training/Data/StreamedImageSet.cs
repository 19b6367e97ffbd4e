using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Images decoded from their files at every pass, on worker threads a few batches ahead of the consumer,
/// so a large set never has to fit in memory. For training, each image gets torchvision's random-resized
/// crop from a generator seeded by (seed, epoch, position), so a resumed run sees the same pixels (flips
/// and erasing follow on the device); for evaluation, the eval transform (resize, centre crop). On a GPU,
/// batches are staged in page-locked memory and copied without blocking. Unreadable files fail the pass,
/// or are skipped and reported, as the policy says.
/// </summary>
/// <param name="files">The images and their targets (owned: disposed with the set).</param>
/// <param name="imageSize">Side of the square images.</param>
/// <param name="training">Random-resized crops (true) or the eval transform.</param>
/// <param name="seed">The run's seed, for the crops.</param>
/// <param name="mean">Per-channel normalisation mean.</param>
/// <param name="std">Per-channel normalisation standard deviation.</param>
/// <param name="policy">Fail on, or skip, files that do not decode.</param>
/// <param name="reportSkipped">Hears of skipped files after each pass.</param>
public sealed class StreamedImageSet(ImageFileList files, int imageSize, bool training, int seed, IReadOnlyList<double> mean,
    IReadOnlyList<double> std, BadImagePolicy policy, Action<IReadOnlyList<(string Path, string Problem)>> reportSkipped) : LabelledImageSet
{
    private readonly RandomResizedCrop _crop = new(imageSize);
    private readonly ImagePreprocessing _eval = ImagePreprocessing.ForCrop(imageSize);

    /// <inheritdoc />
    public override long Count => files.Paths.Count;

    /// <inheritdoc />
    public override (int Channels, int Height, int Width) ImageShape => (3, imageSize, imageSize);

    /// <inheritdoc />
    public override IReadOnlyList<double> Mean => mean;

    /// <inheritdoc />
    public override IReadOnlyList<double> Std => std;

    /// <inheritdoc />
    public override string Source => training ? $"{files.Root} (streamed, random-resized crops)" : $"{files.Root} (streamed)";

    /// <inheritdoc />
    public override IReadOnlyList<LabelColumn> Columns => files.Columns;

    /// <inheritdoc />
    public override bool WantsPaddedCrop => false;

    /// <inheritdoc />
    public override Tensor Targets(string column) => files.Targets[Column(column).Name].alias();

    /// <inheritdoc />
    public override Tensor ReadImages(long[] indices, Device device)
    {
        var batch = Stream(indices, 0, BadImagePolicy.Fail, pin: false).Batches().Single();
        return batch.Pixels;
    }

    /// <inheritdoc />
    public override IEnumerable<LabelledBatch> Batches(BatchPlan plan)
    {
        long first = plan.FirstBatch * plan.BatchSize;
        long end = plan.DropLast ? plan.BatchCount * plan.BatchSize : plan.Order.Length;
        if (end <= first)
            yield break;
        var ids = plan.Order.AsSpan((int)first, (int)(end - first)).ToArray();
        var stream = Stream(ids, Seeds.Mix(seed, 1_000_000 + plan.Epoch), policy, pin: plan.Device.type == DeviceType.CUDA, firstPosition: first,
            batchSize: plan.BatchSize);
        using var stop = new CancellationTokenSource();
        try
        {
            foreach (var batch in stream.Batches(stop.Token))
            {
                using var pixels = batch.Pixels;
                var rows = batch.Indices.Select(i => ids[i]).ToList();
                var targets = files.Select(rows, plan.Device);
                yield return new LabelledBatch(pixels.to(plan.Device, non_blocking: true), targets);
            }
        }
        finally
        {
            stop.Cancel();
            if (stream.Skipped.Count > 0)
                reportSkipped(stream.Skipped);
        }
    }

    private ImageBatchStream Stream(long[] ids, long epochSeed, BadImagePolicy badImages, bool pin, long firstPosition = 0, int? batchSize = null)
    {
        var paths = ids.Select(i => files.Paths[(int)i]).ToList();
        Func<int, DecodedImage, PixelPlanes> transform = training
            ? (position, image) => _crop.Apply(PixelPlanes.FromImage(image), new Random((int)(Seeds.Mix(epochSeed, firstPosition + position) & int.MaxValue)))
            : (_, image) => _eval.ResizeAndCrop(image);
        return new ImageBatchStream(paths, transform, batchSize ?? Math.Max(1, paths.Count), badImages, prefetchBatches: 3, pinMemory: pin);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        files.Dispose();
        base.Dispose();
    }
}
