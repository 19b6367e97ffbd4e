using System.Diagnostics;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// The training loss of a run's steps: summed on the device, read back only when a step is logged or
/// checkpointed (so the host does not wait for the device every step), checked for divergence there, and
/// reported to the observer every <see cref="RunConfig.LogEvery"/> steps.
/// </summary>
internal sealed class StepLog(RunSession session, TrainingConfig config, TrainingObserver observer, TrainingFailures failures) : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _count;
    private long _epochCount;
    private double _epochSum;
    private long _skippedBefore;

    /// <summary>The device-side float64 sum the steps add their loss to.</summary>
    public Tensor LossSum { get; } = zeros([], ScalarType.Float64, session.Device);

    /// <summary>The total gradient norm of the last measured step, on the device (NaN until one is measured).</summary>
    public Tensor GradientNorm { get; } = full([], double.NaN, ScalarType.Float64, session.Device);

    /// <summary>After step <paramref name="step"/>: reads the losses back when logging (every N steps, at <paramref name="last"/> of an epoch, or when <paramref name="force"/>d).</summary>
    public void AfterStep(int epoch, long step, double learningRate, bool last, bool force)
    {
        _count++;
        bool report = (step + 1) % config.Run.LogEvery == 0 || last;
        if (!report && !force)
            return;
        var scaler = session.Scaler;
        if (scaler is not null && scaler.SkippedSteps > _skippedBefore)
        {
            observer.Warning($"fp16: skipped {scaler.SkippedSteps - _skippedBefore} step(s) with inf/NaN gradients by step {step + 1}; loss scale now {scaler.Scale:G}");
            _count -= scaler.SkippedSteps - _skippedBefore;
            _skippedBefore = scaler.SkippedSteps;
            if (scaler.Scale < 1)
                throw failures.Diverged(step, 1, learningRate);
        }
        double mean = _count > 0 ? LossSum.item<double>() / _count : double.NaN;
        if (_count > 0 && !double.IsFinite(mean))
            throw failures.Diverged(step, _count, learningRate);
        if (report)
        {
            observer.Step(new StepReport(epoch, step, session.TotalSteps(config), mean, learningRate,
                _count * config.Optimization.BatchSize / _clock.Elapsed.TotalSeconds)
            {
                StepsPerEpoch = session.StepsPerEpoch, GradientNorm = GradientNorm.item<double>(),
            });
            GradientNorm.FillInPlace(double.NaN);
            _clock.Restart();
        }
        if (_count > 0)
            _epochSum += mean * _count;
        _epochCount += _count;
        LossSum.FillInPlace(0); // TorchSharp's zero_() returns a new handle that would leak here
        _count = 0;
    }

    /// <summary>The mean loss of the epoch's steps since the last call (NaN when none), and starts the next epoch's.</summary>
    public double TakeEpochLoss()
    {
        double mean = _epochCount > 0 ? _epochSum / _epochCount : double.NaN;
        _epochSum = 0;
        _epochCount = 0;
        return mean;
    }

    /// <summary>Starts the throughput clock again (after an evaluation).</summary>
    public void RestartClock() => _clock.Restart();

    public void Dispose()
    {
        LossSum.Dispose();
        GradientNorm.Dispose();
    }
}
