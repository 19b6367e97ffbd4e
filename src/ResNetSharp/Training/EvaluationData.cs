using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>A test split, as uint8 image batches (B, C, H, W) and labels on the evaluation device, in a fixed order.</summary>
public abstract class EvaluationData : IDisposable
{
    /// <summary>Test images.</summary>
    public abstract long Count { get; }

    /// <summary>Class names by label.</summary>
    public abstract IReadOnlyList<string> ClassNames { get; }

    /// <summary>The batches in order; the caller disposes each batch's tensors.</summary>
    public abstract IEnumerable<(Tensor Images, Tensor Labels)> Batches(int batchSize);

    /// <inheritdoc />
    public abstract void Dispose();
}

/// <summary>A test split held on the device.</summary>
/// <param name="data">Owned; disposed with this.</param>
public sealed class InMemoryEvaluationData(ImageDataset data) : EvaluationData
{
    /// <inheritdoc />
    public override long Count => data.Count;

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => data.ClassNames;

    /// <inheritdoc />
    public override IEnumerable<(Tensor Images, Tensor Labels)> Batches(int batchSize)
    {
        for (long start = 0; start < data.Count; start += batchSize)
        {
            long count = Math.Min(batchSize, data.Count - start);
            yield return (data.Images.narrow(0, start, count), data.Labels.narrow(0, start, count));
        }
    }

    /// <inheritdoc />
    public override void Dispose() => data.Dispose();
}

/// <summary>
/// A test image folder decoded at each evaluation with torchvision's eval transform (resize, centre
/// crop), a few batches ahead, so a large validation set never has to fit in memory.
/// </summary>
/// <param name="index">The folder's files and classes.</param>
/// <param name="preprocessing">Resize and crop (ImageNet's 256/224 ratio for the chosen size).</param>
/// <param name="device">Where the batches go.</param>
/// <param name="policy">Fail on, or skip, files that do not decode.</param>
/// <param name="reportSkipped">Hears of skipped files after each pass.</param>
public sealed class StreamedFolderEvaluationData(ImageFolderIndex index, ImagePreprocessing preprocessing, Device device,
    BadImagePolicy policy, Action<IReadOnlyList<(string Path, string Problem)>>? reportSkipped = null) : EvaluationData
{
    /// <inheritdoc />
    public override long Count => index.Samples.Count;

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => index.ClassNames;

    /// <inheritdoc />
    public override IEnumerable<(Tensor Images, Tensor Labels)> Batches(int batchSize)
    {
        var stream = new ImageBatchStream(index.Samples.Select(s => s.Path).ToList(), preprocessing, batchSize, policy);
        return stream.LabelledBatches(i => index.Samples[i].Label, device, reportSkipped: reportSkipped);
    }

    /// <inheritdoc />
    public override void Dispose() { }
}
