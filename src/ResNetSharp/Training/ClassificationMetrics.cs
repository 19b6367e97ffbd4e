using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Accumulates a confusion matrix and top-5 hits on the device (no host copy per batch); results are read once at the end.
/// </summary>
public sealed class ClassificationMetrics : IDisposable
{
    private readonly int _classes;
    private readonly Tensor _confusion;
    private readonly Tensor _top5Hits;
    private readonly Tensor _lossSum;

    /// <param name="classes">Number of classes.</param>
    /// <param name="device">Where the batches are.</param>
    public ClassificationMetrics(int classes, Device device)
    {
        _classes = classes;
        _confusion = zeros([classes * classes], ScalarType.Int64, device);
        _top5Hits = zeros([], ScalarType.Int64, device);
        _lossSum = zeros([], ScalarType.Float64, device);
    }

    /// <summary>Adds a batch of logits (N, classes) and labels (N).</summary>
    public void Add(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var predicted = logits.argmax(1);
        _confusion.add_((labels * _classes + predicted).bincount(null, _classes * _classes));
        int k = Math.Min(5, _classes);
        _top5Hits.add_(logits.topk(k, 1).indexes.eq(labels.unsqueeze(1)).any(1).sum());
        _lossSum.add_(nn.functional.cross_entropy(logits.to(ScalarType.Float32), labels, reduction: nn.Reduction.Sum).to(ScalarType.Float64));
    }

    /// <summary>Reads the accumulated results (one device-to-host copy).</summary>
    public EvaluationResult Result(IReadOnlyList<string> classNames)
    {
        using var scope = NewDisposeScope();
        var confusion = _confusion.cpu().data<long>().ToArray();
        long total = confusion.Sum();
        var matrix = new long[_classes][];
        for (int i = 0; i < _classes; i++)
            matrix[i] = confusion.AsSpan(i * _classes, _classes).ToArray();
        long correct = Enumerable.Range(0, _classes).Sum(i => matrix[i][i]);
        var perClass = Enumerable.Range(0, _classes)
            .Select(i => matrix[i].Sum() is var n and > 0 ? (double)matrix[i][i] / n : double.NaN).ToArray();
        return new EvaluationResult(
            total, total > 0 ? (double)correct / total : double.NaN,
            total > 0 ? (double)_top5Hits.cpu().item<long>() / total : double.NaN,
            total > 0 ? _lossSum.cpu().item<double>() / total : double.NaN,
            perClass, matrix, classNames);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _confusion.Dispose();
        _top5Hits.Dispose();
        _lossSum.Dispose();
    }
}

/// <summary>Results of evaluating a classifier on a dataset.</summary>
/// <param name="Samples">Images evaluated.</param>
/// <param name="Top1">Fraction whose highest logit is the label.</param>
/// <param name="Top5">Fraction whose label is among the five highest logits.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="PerClassAccuracy">Top-1 accuracy of each class (NaN for a class with no samples).</param>
/// <param name="Confusion">Counts: row = true class, column = predicted class.</param>
/// <param name="ClassNames">Class names by index.</param>
public sealed record EvaluationResult(
    long Samples, double Top1, double Top5, double Loss, IReadOnlyList<double> PerClassAccuracy,
    IReadOnlyList<long[]> Confusion, IReadOnlyList<string> ClassNames);
