using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Training batches streamed from an image folder with torchvision's training transform: each image is
/// decoded, randomly cropped and resized (<see cref="RandomResizedCrop"/>) on worker threads, a few
/// batches ahead of the step; flips and erasing follow on the device. On a GPU, batches are staged in
/// page-locked memory and copied without blocking, so the copy overlaps compute. Each image's crop is
/// drawn from a generator seeded by (seed, epoch, position), so resumed runs see the same pixels.
/// </summary>
internal sealed class StreamedFolderBatches(ImageFolderIndex index, int imageSize, int seed, Device device, BadImagePolicy policy,
    Action<IReadOnlyList<(string Path, string Problem)>> reportSkipped, int limit = 0) : TrainingBatches
{
    private readonly RandomResizedCrop _crop = new(imageSize);
    private readonly IReadOnlyList<(string Path, int Label)> _samples = limit > 0 ? index.Samples.Take(limit).ToList() : index.Samples;

    public override long Count => _samples.Count;
    public override (int Channels, int Height, int Width) ImageShape => (3, imageSize, imageSize);
    public override IReadOnlyList<string> ClassNames => index.ClassNames;
    public override IReadOnlyList<double> Mean => ImagePreprocessing.ImageNetMean;
    public override IReadOnlyList<double> Std => ImagePreprocessing.ImageNetStd;
    public override string Source => $"{index.Root} (streamed, random-resized crops)";
    public override bool WantsPaddedCrop => false;

    public override IEnumerable<(Tensor Images, Tensor Labels)> Epoch(Tensor order, int epoch, long firstStep, int batchSize)
    {
        long steps = Count / batchSize;
        int first = (int)(firstStep * batchSize), count = (int)((steps - firstStep) * batchSize);
        if (count <= 0)
            yield break;
        var ids = order.data<long>().ToArray().AsSpan(first, count).ToArray();
        long epochSeed = Seeds.Mix(seed, 1_000_000 + epoch);
        var stream = new ImageBatchStream(ids.Select(i => _samples[(int)i].Path).ToList(),
            (position, image) => _crop.Apply(PixelPlanes.FromImage(image), new Random((int)(Seeds.Mix(epochSeed, first + position) & int.MaxValue))),
            batchSize, policy, prefetchBatches: 3, pinMemory: device.type == DeviceType.CUDA);
        using var stop = new CancellationTokenSource();
        try
        {
            foreach (var batch in stream.Batches(stop.Token))
            {
                using var pixels = batch.Pixels;
                using var labels = tensor(batch.Indices.Select(p => (long)_samples[(int)ids[p]].Label).ToArray());
                yield return (pixels.to(device, non_blocking: true), labels.to(device, non_blocking: true));
            }
        }
        finally
        {
            stop.Cancel(); // a run stopped mid-epoch releases the decoding workers
            if (stream.Skipped.Count > 0)
                reportSkipped(stream.Skipped);
        }
    }

    public override void Dispose() { }
}
