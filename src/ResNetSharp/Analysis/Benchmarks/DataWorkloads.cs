using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>Steps that measure the input pipeline rather than the model.</summary>
public static class DataWorkloads
{
    /// <summary>
    /// One batch of training augmentation on the device, as <c>resnet train</c> applies it to in-memory
    /// datasets: uint8 to float, padded random crop (4), flip, normalisation, random erasing (0.25).
    /// </summary>
    public static Action Augmentation(int batch, int channels, int height, int width, Device device)
    {
        var generator = new Generator(0, device: CPU);
        var images = randint(0, 256, [batch, channels, height, width], generator: generator).to(ScalarType.Byte).to(device);
        var mean = Enumerable.Repeat(0.5, channels).ToList();
        var std = Enumerable.Repeat(0.25, channels).ToList();
        var options = new AugmentationOptions(CropPadding: 4, HorizontalFlip: true, ErasingProbability: 0.25);
        var random = new StepRandom(device);
        random.Reseed(1);
        return () =>
        {
            using var scope = NewDisposeScope();
            BatchAugmentation.Apply(images, mean, std, options, random.Augmentation);
        };
    }

    /// <summary>
    /// One batch of image-folder training input: decode, random-resized crop to <paramref name="size"/>,
    /// stacked into a uint8 tensor, on <paramref name="workers"/> threads. Cycles through <paramref name="files"/>.
    /// </summary>
    public static Action DecodeAndCrop(IReadOnlyList<string> files, int batch, int size, int workers)
    {
        if (files.Count == 0)
            throw new ArgumentException("no image files to decode.", nameof(files));
        var crop = new RandomResizedCrop(size);
        int next = 0;
        return () =>
        {
            var paths = Enumerable.Range(0, batch).Select(i => files[(next + i) % files.Count]).ToList();
            next = (next + batch) % files.Count;
            var stream = new ImageBatchStream(paths, (position, image) => crop.Apply(PixelPlanes.FromImage(image), new Random(position)),
                batch, workers: workers, prefetchBatches: 1);
            foreach (var result in stream.Batches())
                result.Pixels.Dispose();
        };
    }
}
