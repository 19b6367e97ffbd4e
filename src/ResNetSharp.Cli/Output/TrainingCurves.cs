using System.Text.Json;
using ResNetSharp.Common;
using ResNetSharp.IO;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// Redraws the run folder's plots after every epoch: loss.png and accuracy.png from the run's epochs.csv, lr.png
/// from the step records of metrics.jsonl (so a resumed run's plots cover all its epochs), and confusion.png
/// from the epoch's test confusion matrix. Files are replaced atomically. Drawing takes a tenth of a second or
/// more per epoch and runs on the training thread, between epochs: drawing on another thread allocated enough to
/// set off garbage collections in the middle of the next steps' native calls, where TorchSharp's unheld Scalars
/// were finalized under libtorch's feet (see ResNetSharp.Common.HeldScalars). A plot that cannot be written never
/// stops training: the first such problem is kept in <see cref="Failure"/>.
/// </summary>
public sealed class TrainingCurves(string folder) : TrainingObserver
{
    private long _stepsPerEpoch;

    private sealed record Snapshot(EpochTable Epochs, IReadOnlyList<(double Epoch, double Rate)> LearningRates, int TotalEpochs, EvaluationResult? Test);

    /// <summary>Train and test loss per epoch, log scale.</summary>
    public string LossPath => Path.Combine(folder, "loss.png");

    /// <summary>Train and test top-1 (and the weight average's test top-1) per epoch.</summary>
    public string AccuracyPath => Path.Combine(folder, "accuracy.png");

    /// <summary>The learning rate at every logged step.</summary>
    public string LearningRatePath => Path.Combine(folder, "lr.png");

    /// <summary>The last epoch's confusion matrix: counts, coloured by each true class's share.</summary>
    public string ConfusionPath => Path.Combine(folder, "confusion.png");

    /// <summary>Why a plot could not be written, if one could not.</summary>
    public string? Failure { get; private set; }

    /// <inheritdoc />
    public override void Step(StepReport report) => Interlocked.Exchange(ref _stepsPerEpoch, report.StepsPerEpoch);

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        var log = new MetricsLog(folder);
        var snapshot = new Snapshot(EpochTable.Read(log.CsvPath), LearningRates(log.JsonLinesPath, Interlocked.Read(ref _stepsPerEpoch)),
            report.Epochs, report.Test);
        try
        {
            Draw(snapshot);
        }
        catch (Exception e) // plots are a view of the run: whatever goes wrong there must not stop training
        {
            Failure ??= $"could not draw the plots in {folder}: {e.Message}";
        }
    }

    /// <summary>(epochs done, learning rate) of each logged step; none when the steps per epoch are unknown.</summary>
    private static List<(double Epoch, double Rate)> LearningRates(string jsonLines, long stepsPerEpoch)
    {
        var points = new List<(double, double)>();
        if (stepsPerEpoch <= 0 || !InputFile.Exists(jsonLines, MetricsLog.JsonLinesDescription))
            return points;
        foreach (string line in InputFile.ReadLines(jsonLines, MetricsLog.JsonLinesDescription, MetricsLog.MaxJsonLinesBytes))
        {
            if (!line.Contains("\"kind\":\"step\"", StringComparison.Ordinal))
                continue;
            try
            {
                using var record = JsonDocument.Parse(line);
                var root = record.RootElement;
                points.Add(((root.GetProperty("step").GetInt64() + 1) / (double)stepsPerEpoch, root.GetProperty("learningRate").GetDouble()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // a line cut short by a killed run: the plot does without it
            }
        }
        return points;
    }

    /// <summary>The plot of head <paramref name="head"/>'s metrics (named heads only).</summary>
    public string HeadPath(string head) => Path.Combine(folder, $"head-{head}.png");

    private void Draw(Snapshot snapshot)
    {
        if (snapshot.Test is { } test)
            Write(ConfusionPath, ConfusionPlot.Draw(test));
        var epochs = snapshot.Epochs;
        if (epochs.Rows == 0)
            return;
        Write(LossPath, CurvePlots.Loss(epochs));
        Write(AccuracyPath, CurvePlots.Accuracy(epochs));
        if (snapshot.LearningRates.Count > 0)
            Write(LearningRatePath, CurvePlots.LearningRate(snapshot.LearningRates, snapshot.TotalEpochs));
        // Named heads: HEAD.METRIC columns (and the average's ema.HEAD.METRIC), one plot per head.
        var headColumns = epochs.Names.Where(MetricsLog.IsHeadColumn);
        foreach (string head in headColumns.Select(name => name[..name.IndexOf('.')]).Distinct())
            Write(HeadPath(head), CurvePlots.Head(epochs, head));
    }

    private static void Write(string path, byte[] png) => AtomicFile.Write(path, stream => stream.Write(png));
}
