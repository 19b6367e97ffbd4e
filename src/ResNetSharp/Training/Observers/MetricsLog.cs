using System.Globalization;
using System.Text.Json;
using ResNetSharp.Common;
using ResNetSharp.IO;

namespace ResNetSharp.Training;

/// <summary>
/// Appends metrics to metrics.jsonl (one object per logged step and per epoch) and epochs.csv in the run
/// folder, counting epochs and steps from 1 as the console does. Each line is written and flushed whole, so a killed run leaves complete lines. An epoch that is
/// run again (after a resume from a checkpoint older than its row) replaces its row and those after it.
/// </summary>
/// <remarks>
/// epochs.csv always starts with epoch, train_loss, test_loss, top1, top5, seconds, ema_top1,
/// train_images_per_second, eval_seconds, train_top1 and lr (top1, top5, ema_top1 and train_top1 are the first
/// classification head's, NaN without one; train_top1 is measured on the augmented training batches, lr is the
/// epoch's last step's); a network with named heads adds HEAD.METRIC, HEAD.train_top1 (classification heads)
/// and ema.HEAD.METRIC columns after them, and diagnostics add grad_norm.PART and dead_units.PART per part of the
/// network (see <see cref="StageHealth"/>).
/// </remarks>
public sealed class MetricsLog : TrainingObserver
{
    /// <summary>The largest epochs.csv read back (about a million epochs of a hundred columns).</summary>
    public const long MaxCsvBytes = 1L << 30;

    /// <summary>The largest metrics.jsonl read back (some ten million logged steps).</summary>
    public const long MaxJsonLinesBytes = 4L << 30;

    /// <summary>What epochs.csv is called in messages.</summary>
    public const string CsvDescription = "Epoch table";

    /// <summary>What metrics.jsonl is called in messages.</summary>
    public const string JsonLinesDescription = "Metrics log";

    private const string GradientNormPrefix = "grad_norm.";
    private const string DeadUnitsPrefix = "dead_units.";

    /// <summary>Whether an epochs.csv column is a named head's HEAD.METRIC (not the average's ema.HEAD.METRIC, nor a diagnostic of a part).</summary>
    public static bool IsHeadColumn(string name) =>
        name.Contains('.') && !name.StartsWith("ema.", StringComparison.Ordinal)
        && !name.StartsWith(GradientNormPrefix, StringComparison.Ordinal) && !name.StartsWith(DeadUnitsPrefix, StringComparison.Ordinal);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _folder;

    /// <summary>
    /// Logs into <paramref name="folder"/>. A metrics.jsonl or epochs.csv already there that is not a regular file (a FIFO
    /// would block the run at its first line) is a <see cref="NotARegularFileException"/> at once.
    /// </summary>
    public MetricsLog(string folder)
    {
        _folder = folder;
        InputFile.Exists(JsonLinesPath, JsonLinesDescription);
        InputFile.Exists(CsvPath, CsvDescription);
    }

    /// <summary>The JSON-lines file.</summary>
    public string JsonLinesPath => Path.Combine(_folder, "metrics.jsonl");

    /// <summary>The per-epoch CSV file.</summary>
    public string CsvPath => Path.Combine(_folder, "epochs.csv");

    /// <inheritdoc />
    public override void Step(StepReport report) =>
        Append(JsonLinesPath, JsonSerializer.Serialize(new
        {
            kind = "step", epoch = report.Epoch + 1, step = report.Step + 1, report.Loss, report.LearningRate, report.ImagesPerSecond,
            gradNorm = double.IsNaN(report.GradientNorm) ? (double?)null : report.GradientNorm,
        }, Json));

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        var test = report.Test;
        var heads = NamedHeads(report);
        Append(JsonLinesPath, JsonSerializer.Serialize(new
        {
            kind = "epoch", epoch = report.Epoch + 1, report.TrainLoss, testLoss = report.Evaluation.Loss, top1 = test?.Top1, top5 = test?.Top5,
            perClass = test?.PerClassAccuracy, seconds = report.Elapsed.TotalSeconds, emaTop1 = report.Ema?.Classification?.Top1,
            emaTop5 = report.Ema?.Classification?.Top5, trainImagesPerSecond = report.TrainImagesPerSecond,
            evaluationSeconds = report.EvaluationTime.TotalSeconds, trainTop1 = report.TrainTop1, report.LearningRate,
            heads = heads.Count == 0 ? null : heads.ToDictionary(c => c.Name, c => c.Value),
            stages = report.Stages.Count == 0 ? null : report.Stages.ToDictionary(s => s.Part,
                s => new { gradNorm = s.GradientNorm, deadUnits = s.DeadUnits, zeroActivations = s.ZeroActivations }),
        }, Json));
        var columns = new List<(string Name, double Value)>
        {
            ("epoch", report.Epoch + 1), ("train_loss", report.TrainLoss), ("test_loss", report.Evaluation.Loss),
            ("top1", test?.Top1 ?? double.NaN), ("top5", test?.Top5 ?? double.NaN), ("seconds", report.Elapsed.TotalSeconds),
            ("ema_top1", report.Ema?.Classification?.Top1 ?? double.NaN), ("train_images_per_second", report.TrainImagesPerSecond),
            ("eval_seconds", report.EvaluationTime.TotalSeconds), ("train_top1", report.TrainTop1), ("lr", report.LearningRate),
        };
        columns.AddRange(heads);
        foreach (var stage in report.Stages)
            columns.AddRange([($"{GradientNormPrefix}{stage.Part}", stage.GradientNorm), ($"{DeadUnitsPrefix}{stage.Part}", stage.DeadUnits)]);
        DropRowsFrom(report.Epoch + 1);
        if (!InputFile.Exists(CsvPath, CsvDescription))
            Append(CsvPath, string.Join(",", columns.Select(c => c.Name)));
        Append(CsvPath, string.Join(",", columns.Select(c => c.Value.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>HEAD.METRIC, HEAD.train_top1 (and ema.HEAD.METRIC) values of a network with named heads; none for a plain classifier <c>fc</c>.</summary>
    private static List<(string Name, double Value)> NamedHeads(EpochReport report)
    {
        if (report.Evaluation.Heads.Keys.SequenceEqual([MultiHeadNetwork.ClassifierHead]))
            return [];
        IEnumerable<(string, double)> Columns(NetworkEvaluation evaluation, string prefix) =>
            evaluation.Heads.SelectMany(h => h.Value.Metrics.Select(m => ($"{prefix}{h.Key}.{m.Name}", m.Value))
                .Concat(prefix.Length == 0 && report.TrainAccuracy.TryGetValue(h.Key, out double top1) ? [($"{h.Key}.train_top1", top1)] : []));
        return [.. Columns(report.Evaluation, ""), .. report.Ema is { } ema ? Columns(ema, "ema.") : []];
    }

    /// <summary>Removes rows of epochs <paramref name="epoch"/> (1-based) and later: they are being run again.</summary>
    private void DropRowsFrom(int epoch)
    {
        if (!InputFile.Exists(CsvPath, CsvDescription))
            return;
        var lines = InputFile.ReadLines(CsvPath, CsvDescription, MaxCsvBytes).ToArray();
        var kept = lines.Take(1).Concat(lines.Skip(1).Where(line =>
            !double.TryParse(line.Split(',')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double e) || e < epoch)).ToList();
        if (kept.Count < lines.Length)
            AtomicFile.Write(CsvPath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(kept.Select(l => l + "\n")))));
    }

    private static void Append(string path, string line) => File.AppendAllText(path, line + "\n");
}
