using System.Globalization;
using System.Text.Json;

namespace ResNetSharp.Training;

/// <summary>
/// Appends metrics to metrics.jsonl (one object per logged step and per epoch) and epochs.csv in the run
/// folder. Each line is written and flushed whole, so a killed run leaves complete lines.
/// </summary>
public sealed class MetricsLog(string folder) : TrainingObserver
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The JSON-lines file.</summary>
    public string JsonLinesPath => Path.Combine(folder, "metrics.jsonl");

    /// <summary>The per-epoch CSV file.</summary>
    public string CsvPath => Path.Combine(folder, "epochs.csv");

    /// <inheritdoc />
    public override void Step(StepReport report) =>
        Append(JsonLinesPath, JsonSerializer.Serialize(new
        {
            kind = "step", report.Epoch, report.Step, report.Loss, report.LearningRate, report.ImagesPerSecond,
        }, Json));

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        Append(JsonLinesPath, JsonSerializer.Serialize(new
        {
            kind = "epoch", report.Epoch, report.TrainLoss, testLoss = report.Test.Loss, top1 = report.Test.Top1,
            top5 = report.Test.Top5, perClass = report.Test.PerClassAccuracy, seconds = report.Elapsed.TotalSeconds,
            emaTop1 = report.Ema?.Top1, emaTop5 = report.Ema?.Top5, trainImagesPerSecond = report.TrainImagesPerSecond,
            evaluationSeconds = report.EvaluationTime.TotalSeconds, report.TrainTop1, report.LearningRate,
        }, Json));
        if (!File.Exists(CsvPath))
            Append(CsvPath, "epoch,train_loss,test_loss,top1,top5,seconds,ema_top1,train_images_per_second,eval_seconds,train_top1,lr");
        Append(CsvPath, string.Join(",", new object[]
        {
            report.Epoch + 1, report.TrainLoss, report.Test.Loss, report.Test.Top1, report.Test.Top5, report.Elapsed.TotalSeconds,
            report.Ema?.Top1 ?? double.NaN, report.TrainImagesPerSecond, report.EvaluationTime.TotalSeconds,
            report.TrainTop1, report.LearningRate,
        }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
    }

    private static void Append(string path, string line) => File.AppendAllText(path, line + "\n");
}
