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
        $"epoch {r.Epoch + 1}/{r.Epochs}  train loss {r.TrainLoss:F4}  test loss {r.Evaluation.Loss:F4}  " +
        Scores(r.Evaluation) + (r.IsBest ? "  (best)" : "") +
        (r.Ema is { } ema ? $"  EMA {Scores(ema, main: true)}" : "") +
        (double.IsFinite(r.TrainImagesPerSecond) ? $"  {r.TrainImagesPerSecond:N0} img/s, eval {r.EvaluationTime.TotalSeconds:F1} s" : "") +
        $"  {r.Elapsed.TotalSeconds:F0} s" +
        (StageHealth.Problems(r.Stages) is { Count: > 0 } problems ? $"  warning: {string.Join("; ", problems)}" : "");

    /// <summary>Each head's scores: "top-1 … top-5 …" for a plain classifier; "HEAD top-1 …" or "HEAD mae … rmse …" for named heads.</summary>
    public static string Scores(NetworkEvaluation evaluation, bool main = false)
    {
        bool named = !evaluation.Heads.Keys.SequenceEqual(["fc"]);
        return string.Join("  ", evaluation.Heads.Select(h => (named ? h.Key + " " : "") + h.Value switch
        {
            EvaluationResult c => main ? $"top-1 {c.Top1:P2}" : $"top-1 {c.Top1:P2}  top-5 {c.Top5:P2}",
            RegressionResult g => main ? $"mae {g.Mae:G4}" : $"mae {g.Mae:G4}  rmse {g.Rmse:G4}",
            var other => string.Join("  ", other.Metrics.Take(main ? 1 : 2).Select(m => $"{m.Name} {m.Value:G4}")),
        }));
    }
}
