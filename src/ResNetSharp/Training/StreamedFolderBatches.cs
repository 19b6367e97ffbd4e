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
    Action<IReadOnlyList<(string Path, string Problem)>> reportSkipped) : TrainingBatches
{
    private readonly RandomResizedCrop _crop = new(imageSize);

    public override long Count => index.Samples.Count;
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
        var stream = new ImageBatchStream(ids.Select(i => index.Samples[(int)i].Path).ToList(),
            (position, image) => _crop.Apply(PixelPlanes.FromImage(image), new Random((int)(Seeds.Mix(epochSeed, first + position) & int.MaxValue))),
            batchSize, policy, prefetchBatches: 3, pinMemory: device.type == DeviceType.CUDA);
        foreach (var batch in stream.LabelledBatches(p => index.Samples[(int)ids[p]].Label, device, nonBlocking: true, reportSkipped))
            yield return batch;
    }

    public override void Dispose() { }
}
