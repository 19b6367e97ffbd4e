using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// Top-1 accuracy of each classification head on the batches it is trained on, counted on the device
/// during the steps (no host copy per step) and read once at the epoch's end. The batches are augmented
/// and the weights change within the epoch, so it is the number Lightning and timm log as train accuracy,
/// not an evaluation. With mixup or CutMix a hit counts λ for the batch's own label and 1 - λ for the
/// mixed-in image's. Unlabelled samples (-1) count for neither hits nor samples.
/// </summary>
internal sealed class TrainAccuracy : IDisposable
{
    private readonly Dictionary<string, (Tensor Hits, Tensor Samples)> _heads = new(StringComparer.Ordinal);

    /// <param name="network">Whose <see cref="ClassificationHead"/>s are counted.</param>
    /// <param name="device">Where the steps run.</param>
    public TrainAccuracy(MultiHeadNetwork network, Device device)
    {
        foreach (var head in network.Heads.OfType<ClassificationHead>())
            _heads[head.Name] = (zeros([], ScalarType.Float64, device), zeros([], ScalarType.Float64, device));
    }

    /// <summary>Adds a batch of <paramref name="head"/>'s logits (N, classes) against its labels (N) weighted by <paramref name="lambda"/>, and the flipped labels by 1 - λ.</summary>
    public void Add(TaskHead head, Tensor logits, Tensor labels, double lambda)
    {
        if (!_heads.TryGetValue(head.Name, out var sums))
            return;
        using var scope = NewDisposeScope();
        var predicted = logits.detach().argmax(1);
        // An unlabelled sample's -1 never equals an argmax, so eq already leaves it out of the hits.
        var hits = predicted.eq(labels).sum().to(ScalarType.Float64);
        if (lambda < 1)
            hits = hits.Times(lambda).AddInPlace(predicted.eq(labels.flip(0)).sum().to(ScalarType.Float64), 1.0 - lambda);
        sums.Hits.AddInPlace(hits);
        sums.Samples.AddInPlace(labels.AtLeast(0).sum().to(ScalarType.Float64));
    }

    /// <summary>Each classification head's accuracy since the last call (NaN where no labelled sample was seen), and starts counting again.</summary>
    public IReadOnlyDictionary<string, double> Take()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, (hits, samples)) in _heads)
        {
            double n = samples.item<double>();
            result[name] = n > 0 ? hits.item<double>() / n : double.NaN;
            hits.FillInPlace(0); // TorchSharp's zero_() returns a new handle that would leak here
            samples.FillInPlace(0);
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (hits, samples) in _heads.Values)
        {
            hits.Dispose();
            samples.Dispose();
        }
    }
}
