using TorchSharp;

namespace ResNetSharp.Training;

/// <summary>
/// TensorBoard event files in the run folder's tensorboard/ (TorchSharp's SummaryWriter): train/loss,
/// train/lr and train/images_per_second per logged step; test/top1, test/top5, test/loss, train/epoch_loss
/// and ema/top1 per epoch, against the global step. A resumed run adds a new event file beside the old.
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
    }

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        int step = (int)Math.Min(int.MaxValue, _lastStep);
        _writer.Value.add_scalar("test/top1", (float)report.Test.Top1, step);
        _writer.Value.add_scalar("test/top5", (float)report.Test.Top5, step);
        _writer.Value.add_scalar("test/loss", (float)report.Test.Loss, step);
        _writer.Value.add_scalar("train/epoch_loss", (float)report.TrainLoss, step);
        if (report.Ema is { } ema)
            _writer.Value.add_scalar("ema/top1", (float)ema.Top1, step);
    }
}
