using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>
/// A labelled image set held as tensors: images uint8 (N, C, H, W), labels int64 (N). Small datasets
/// (MNIST family, CIFAR) live like this on the training device, and batches are cut and augmented there.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Pixels, uint8, (N, C, H, W).</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, int64, (N).</summary>
    public Tensor Labels { get; }

    /// <summary>Name of each class, by index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per-channel mean of the pixels scaled to [0, 1], for normalisation.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Per-channel standard deviation of the pixels scaled to [0, 1].</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>Where the data came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Number of samples.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Channels, height and width of one image.</summary>
    public (int Channels, int Height, int Width) ImageShape => ((int)Images.shape[1], (int)Images.shape[2], (int)Images.shape[3]);

    /// <summary>Takes ownership of <paramref name="images"/> and <paramref name="labels"/>, after checking they agree.</summary>
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames,
        IReadOnlyList<double> mean, IReadOnlyList<double> std, string source)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Byte)
            throw new ArgumentException($"{source}: images must be uint8 (N, C, H, W); got {images.dtype} ({string.Join(", ", images.shape)}).");
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64 || labels.shape[0] != images.shape[0])
            throw new InvalidDataException($"{source}: {images.shape[0]} images but {labels.shape[0]} labels.");
        if (mean.Count != images.shape[1] || std.Count != images.shape[1])
            throw new ArgumentException($"{source}: mean/std need one value per channel ({images.shape[1]}).");
        Images = images;
        Labels = labels;
        ClassNames = classNames;
        Mean = mean;
        Std = std;
        Source = source;
    }

    /// <summary>The first <paramref name="count"/> samples (all if fewer), sharing no memory with this one.</summary>
    public ImageDataset Take(long count)
    {
        long n = Math.Min(count, Count);
        return new ImageDataset(Images[..(int)n].clone(), Labels[..(int)n].clone(), ClassNames, Mean, Std, Source);
    }

    /// <summary>Moves the tensors to <paramref name="device"/> (a new dataset; this one is unchanged).</summary>
    public ImageDataset To(Device device) =>
        new(Images.to(device), Labels.to(device), ClassNames, Mean, Std, Source);

    /// <summary>Number of samples in each class, by class index.</summary>
    public long[] ClassHistogram()
    {
        using var counts = Labels.cpu().bincount(null, ClassNames.Count);
        return counts.data<long>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
