using ResNetSharp.Training;

namespace ResNetSharp.Cli.Output;

/// <summary>Plain progress lines: one per logged step (unless quiet) and one per epoch.</summary>
public sealed class ConsoleTrainingObserver(TextWriter output, bool quiet) : TrainingObserver
{
    /// <inheritdoc />
    public override void Message(string text) => output.WriteLine(text);

    /// <inheritdoc />
    public override void Warning(string text) => output.WriteLine($"warning: {text}");

    /// <inheritdoc />
    public override void Step(StepReport r)
    {
        if (!quiet)
            output.WriteLine($"epoch {r.Epoch + 1} step {r.Step + 1}/{r.TotalSteps}  loss {r.Loss:F4}  lr {r.LearningRate:G3}  {r.ImagesPerSecond:N0} img/s");
    }

    /// <inheritdoc />
    public override void Epoch(EpochReport r) => output.WriteLine(EpochLine(r));

    /// <summary>The line that reports an epoch's results.</summary>
    public static string EpochLine(EpochReport r) =>
        $"epoch {r.Epoch + 1}/{r.Epochs}  train loss {r.TrainLoss:F4}  test loss {r.Test.Loss:F4}  " +
        $"top-1 {r.Test.Top1:P2}  top-5 {r.Test.Top5:P2}{(r.IsBest ? "  (best)" : "")}" +
        (r.Ema is { } ema ? $"  EMA top-1 {ema.Top1:P2}" : "") +
        (double.IsFinite(r.TrainImagesPerSecond) ? $"  {r.TrainImagesPerSecond:N0} img/s, eval {r.EvaluationTime.TotalSeconds:F1} s" : "") +
        $"  {r.Elapsed.TotalSeconds:F0} s";
}
