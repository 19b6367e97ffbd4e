using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>Absolute and squared errors per output, label counts and the loss sum of a regression head, on the device.</summary>
internal sealed class RegressionMetrics(RegressionHead head, Device device) : HeadMetrics
{
    private readonly Tensor _absolute = zeros([head.Outputs], ScalarType.Float64, device);
    private readonly Tensor _squared = zeros([head.Outputs], ScalarType.Float64, device);
    private readonly Tensor _counts = zeros([head.Outputs], ScalarType.Float64, device);
    private readonly Tensor _samples = zeros([], ScalarType.Int64, device);
    private readonly Tensor _lossSum = zeros([], ScalarType.Float64, device);

    public override void Add(Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (loss, labelled) = head.PerValueLoss(outputs, targets);
        var mask = labelled.to(ScalarType.Float64);
        var error = outputs.to(ScalarType.Float64).sub(targets.to(ScalarType.Float64).nan_to_num(0)).mul(mask);
        _absolute.AddInPlace(error.abs().sum(0));
        _squared.AddInPlace(error.square().sum(0));
        _counts.AddInPlace(mask.sum(0));
        _samples.AddInPlace(labelled.any(1).sum());
        // Per sample, the mean over its labelled values; summed over samples.
        _lossSum.AddInPlace(loss.to(ScalarType.Float64).mul(mask).sum(1).div(mask.sum(1).ClampMin(1)).sum());
    }

    public override HeadResult Result()
    {
        using var scope = NewDisposeScope();
        var absolute = _absolute.cpu().data<double>().ToArray();
        var squared = _squared.cpu().data<double>().ToArray();
        var counts = _counts.cpu().data<double>().ToArray();
        long samples = _samples.cpu().item<long>();
        double total = counts.Sum();
        return new RegressionResult(samples,
            samples > 0 ? _lossSum.cpu().item<double>() / samples : double.NaN,
            total > 0 ? absolute.Sum() / total : double.NaN,
            total > 0 ? Math.Sqrt(squared.Sum() / total) : double.NaN,
            absolute.Zip(counts, (a, n) => n > 0 ? a / n : double.NaN).ToList(),
            squared.Zip(counts, (s, n) => n > 0 ? Math.Sqrt(s / n) : double.NaN).ToList());
    }

    public override void Dispose()
    {
        foreach (var tensor in new[] { _absolute, _squared, _counts, _samples, _lossSum })
            tensor.Dispose();
    }
}
