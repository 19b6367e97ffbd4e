using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Decodes a list of image files once into memory (resize, centre crop), for small sets trained with padded random crops.</summary>
internal static class InMemoryImageFiles
{
    /// <summary>Every readable image of <paramref name="files"/> as uint8 tensors on <paramref name="device"/>, with the targets of the rows kept.</summary>
    public static InMemoryImageSet Load(ImageFileList files, int imageSize, IReadOnlyList<double> mean, IReadOnlyList<double> std,
        BadImagePolicy policy, Action<IReadOnlyList<(string Path, string Problem)>> reportSkipped, Device device)
    {
        using var _ = files;
        var stream = new ImageBatchStream(files.Paths, ImagePreprocessing.ForCrop(imageSize), 256, policy);
        var images = new List<Tensor>();
        var rows = new List<long>();
        try
        {
            foreach (var batch in stream.Batches())
            {
                images.Add(batch.Pixels);
                rows.AddRange(batch.Indices.Select(i => (long)i));
            }
            reportSkipped(stream.Skipped);
            if (images.Count == 0)
                throw new InvalidDataException($"{files.Root}: none of the {files.Paths.Count} images decoded.");
            using var all = cat(images, 0);
            return new InMemoryImageSet(all.to(device), files.Columns, files.Select(rows, device), mean, std, files.Root);
        }
        finally
        {
            foreach (var tensor in images)
                tensor.Dispose();
        }
    }
}
