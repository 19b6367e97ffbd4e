using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Images;

/// <summary>
/// Loads an image folder into memory as an <see cref="ImageDataset"/>: every image resized and
/// centre-cropped to one size (uint8), so that training can cut and augment batches on the device.
/// Suits fine-tuning sets up to a few tens of thousands of images (224x224 is 150 KB each).
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>Decodes the whole folder in parallel. With <see cref="BadImagePolicy.Skip"/>, bad files are listed in <paramref name="skipped"/>.</summary>
    public static ImageDataset Load(string root, ImagePreprocessing preprocessing, BadImagePolicy policy,
        out IReadOnlyList<(string Path, string Problem)> skipped, int batchSize = 256) =>
        Load(ImageFolderIndex.Scan(root), preprocessing, policy, out skipped, batchSize);

    /// <summary>Decodes the files of <paramref name="index"/> in parallel, labelled as the index says; see the other overload.</summary>
    public static ImageDataset Load(ImageFolderIndex index, ImagePreprocessing preprocessing, BadImagePolicy policy,
        out IReadOnlyList<(string Path, string Problem)> skipped, int batchSize = 256)
    {
        string root = index.Root;
        var stream = new ImageBatchStream(index.Samples.Select(s => s.Path).ToList(), preprocessing, batchSize, policy);
        var images = new List<Tensor>();
        var labels = new List<long>();
        try
        {
            foreach (var batch in stream.Batches())
            {
                images.Add(batch.Pixels);
                labels.AddRange(batch.Indices.Select(i => (long)index.Samples[i].Label));
            }
            skipped = stream.Skipped;
            if (images.Count == 0)
                throw new InvalidDataException($"{root}: none of the {index.Samples.Count} images decoded.");
            var all = cat(images, 0);
            return new ImageDataset(all, tensor(labels.ToArray()), index.ClassNames, preprocessing.Mean, preprocessing.Std, root);
        }
        finally
        {
            foreach (var tensor in images)
                tensor.Dispose();
        }
    }
}
