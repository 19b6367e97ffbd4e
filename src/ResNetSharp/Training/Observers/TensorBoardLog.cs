using TorchSharp;

namespace ResNetSharp.Training;

/// <summary>
/// TensorBoard event files in the run folder's tensorboard/ (TorchSharp's SummaryWriter): train/loss,
/// train/lr, train/images_per_second and train/grad_norm per logged step; per epoch test/loss, train/epoch_loss,
/// diagnostics/grad_norm/PART and diagnostics/dead_units/PART, and
/// test/top1, test/top5 and ema/top1 for a plain classifier, or test/HEAD/METRIC and ema/HEAD/METRIC for
/// named heads, against the global step. A resumed run adds a new event file beside the old.
/// </summary>
public sealed class TensorBoardLog(string folder) : TrainingObserver
{
    private readonly Lazy<TorchSharp.Modules.SummaryWriter> _writer = new(() => torch.utils.tensorboard.SummaryWriter(Path.Combine(folder, "tensorboard")));
    private long _lastStep;

    /// <summary>The folder TensorBoard reads (<c>tensorboard --logdir</c>).</summary>
    public string LogDir => Path.Combine(folder, "tensorboard");

    /// <inheritdoc />
    public override void Step(StepReport report)
    {
        _lastStep = report.Step + 1;
        int step = (int)Math.Min(int.MaxValue, _lastStep);
        _writer.Value.add_scalar("train/loss", (float)report.Loss, step);
        _writer.Value.add_scalar("train/lr", (float)report.LearningRate, step);
        _writer.Value.add_scalar("train/images_per_second", (float)report.ImagesPerSecond, step);
        if (double.IsFinite(report.GradientNorm))
            _writer.Value.add_scalar("train/grad_norm", (float)report.GradientNorm, step);
    }

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        int step = (int)Math.Min(int.MaxValue, _lastStep);
        _writer.Value.add_scalar("test/loss", (float)report.Evaluation.Loss, step);
        _writer.Value.add_scalar("train/epoch_loss", (float)report.TrainLoss, step);
        foreach (var stage in report.Stages)
        {
            if (double.IsFinite(stage.GradientNorm))
                _writer.Value.add_scalar($"diagnostics/grad_norm/{stage.Part}", (float)stage.GradientNorm, step);
            if (double.IsFinite(stage.DeadUnits))
                _writer.Value.add_scalar($"diagnostics/dead_units/{stage.Part}", (float)stage.DeadUnits, step);
        }
        if (report.Evaluation.Heads.Keys.SequenceEqual([MultiHeadNetwork.ClassifierHead]) && report.Test is { } test)
        {
            _writer.Value.add_scalar("test/top1", (float)test.Top1, step);
            _writer.Value.add_scalar("test/top5", (float)test.Top5, step);
            if (report.Ema?.Classification is { } ema)
                _writer.Value.add_scalar("ema/top1", (float)ema.Top1, step);
            return;
        }
        foreach (var (prefix, evaluation) in new[] { ("test", report.Evaluation), ("ema", report.Ema) })
            foreach (var (head, result) in evaluation?.Heads ?? new Dictionary<string, HeadResult>())
                foreach (var metric in result.Metrics)
                    _writer.Value.add_scalar($"{prefix}/{head}/{metric.Name}", (float)metric.Value, step);
    }
}
