using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>Accumulates one head's evaluation on the device, with no host copy per batch; the result is read once at the end.</summary>
public abstract class HeadMetrics : IDisposable
{
    /// <summary>Adds a batch of the head's float32 outputs and its targets (samples without a label are left out).</summary>
    public abstract void Add(Tensor outputs, Tensor targets);

    /// <summary>Reads the accumulated results.</summary>
    public abstract HeadResult Result();

    /// <inheritdoc />
    public abstract void Dispose();
}

/// <summary>A confusion matrix, top-5 hits and the cross-entropy sum of a classification head, on the device.</summary>
public sealed class ClassificationMetrics : HeadMetrics
{
    private readonly IReadOnlyList<string> _classNames;
    private readonly int _classes;
    private readonly Tensor _confusion;
    private readonly Tensor _top5Hits;
    private readonly Tensor _lossSum;

    /// <param name="classNames">Class names by index.</param>
    /// <param name="device">Where the batches are.</param>
    public ClassificationMetrics(IReadOnlyList<string> classNames, Device device)
    {
        _classNames = classNames;
        _classes = classNames.Count;
        _confusion = zeros([_classes * _classes], ScalarType.Int64, device);
        _top5Hits = zeros([], ScalarType.Int64, device);
        _lossSum = zeros([], ScalarType.Float64, device);
    }

    /// <summary>Adds a batch of logits (N, classes) and labels (N); labels of -1 (no label) are left out.</summary>
    public override void Add(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var labelled = labels.AtLeast(0);
        var safe = labels.ClampMin(0);
        var predicted = logits.argmax(1);
        // Unlabelled samples land in an extra bin past the matrix, which bincount's length then drops.
        var cell = where(labelled, safe * _classes + predicted, _classes * _classes);
        _confusion.AddInPlace(cell.bincount(null, _classes * _classes + 1).narrow(0, 0, _classes * _classes));
        int k = Math.Min(5, _classes);
        _top5Hits.AddInPlace(logits.topk(k, 1).indexes.eq(safe.unsqueeze(1)).any(1).logical_and(labelled).sum());
        var loss = nn.functional.cross_entropy(logits.to(ScalarType.Float32), safe, reduction: nn.Reduction.None);
        _lossSum.AddInPlace(loss.mul(labelled).sum().to(ScalarType.Float64));
    }

    /// <summary>Reads the accumulated results (one device-to-host copy).</summary>
    public override HeadResult Result()
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
            perClass, matrix, _classNames);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _confusion.Dispose();
        _top5Hits.Dispose();
        _lossSum.Dispose();
    }
}
