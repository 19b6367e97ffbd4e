using System.Globalization;
using System.Text;
using ResNetSharp.Common;
using ResNetSharp.Interop;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// MODEL_CARD.md in the run folder: the model, the data, the recipe, the results per epoch, a per-class table
/// and the plots, in Markdown a user can keep beside the weights (as Hugging Face's model cards). Rewritten
/// atomically after every epoch (a few kilobytes from epochs.csv and the epoch's report) and at the end with how
/// the run ended. A card that cannot be written never stops training: the first problem is kept in <see cref="Failure"/>.
/// </summary>
public sealed class ModelCard(string folder, TrainingConfig config, string? recipe) : TrainingObserver
{
    /// <summary>File name of the card inside the run folder.</summary>
    public const string FileName = "MODEL_CARD.md";

    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private long _stepsPerEpoch;
    private EpochReport? _last;
    private EpochReport? _best;

    /// <summary>Where the card is written.</summary>
    public string Path => System.IO.Path.Combine(folder, FileName);

    /// <summary>Why the card could not be written, if it could not.</summary>
    public string? Failure { get; private set; }

    /// <inheritdoc />
    public override void Step(StepReport report) => _stepsPerEpoch = report.StepsPerEpoch;

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        _last = report;
        if (report.IsBest)
            _best = report;
        Write($"In progress: {report.Epoch + 1} of {report.Epochs} epochs done.");
    }

    /// <summary>Writes the card for how the run ended.</summary>
    public void Finish(TrainingOutcome outcome) => Write(outcome.Completed
        ? $"Finished: {outcome.Progress.Epoch} of {config.Schedule.Epochs} epochs."
        : $"Stopped after {outcome.Progress.Epoch} of {config.Schedule.Epochs} epochs (step {outcome.Progress.GlobalStep:N0}); " +
          $"`resnet train --resume -o {folder}` continues it.");

    private void Write(string status)
    {
        try
        {
            string text = Render(status);
            AtomicFile.Write(Path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            Failure ??= $"could not write {Path}: {e.Message}";
        }
    }

    /// <summary>The card's Markdown for the run as it stands.</summary>
    internal string Render(string status)
    {
        var text = new StringBuilder();
        string data = config.Data.Manifest ?? config.Data.Dataset;
        text.AppendLine($"# {config.Model} on {data}").AppendLine();
        text.AppendLine(status).AppendLine();
        text.AppendLine($"Trained with ResNetSharp {Version()} (`resnet train`{(recipe is null ? "" : $", recipe `{recipe}`")}), " +
            $"started {_started.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.").AppendLine();
        Model(text);
        Data(text);
        Recipe(text);
        Results(text);
        PerClass(text);
        Plots(text);
        return text.ToString();
    }

    private void Model(StringBuilder text)
    {
        text.AppendLine("## Model").AppendLine().AppendLine("| | |").AppendLine("|---|---|");
        text.AppendLine($"| backbone | `{Cell(config.Model)}` |");
        if (Parameters() is { } parameters)
            text.AppendLine($"| parameters | {parameters:N0} |");
        if (_last is { } last)
            text.AppendLine($"| heads | {Cell(string.Join("; ", last.Evaluation.Heads.Select(h => HeadText(h.Key, h.Value))))} |");
        var weights = new List<string>();
        if (File.Exists(System.IO.Path.Combine(folder, "best.safetensors")))
            weights.Add($"[best.safetensors](best.safetensors){(_best is { } best ? $" (epoch {best.Epoch + 1}, the best by the monitored metric)" : "")}");
        foreach (string file in new[] { "last.safetensors", "ema.safetensors" }.Where(f => File.Exists(System.IO.Path.Combine(folder, f))))
            weights.Add($"[{file}]({file})");
        if (weights.Count > 0)
            text.AppendLine($"| weights | {string.Join(", ", weights)} |");
        text.AppendLine();
    }

    private void Data(StringBuilder text)
    {
        var d = config.Data;
        text.AppendLine("## Data").AppendLine().AppendLine("| | |").AppendLine("|---|---|");
        text.AppendLine($"| training | {Cell(d.Manifest ?? d.Dataset)}" +
            (_stepsPerEpoch > 0 ? $": {_stepsPerEpoch * config.Optimization.BatchSize:N0} images per epoch ({_stepsPerEpoch:N0} steps of {config.Optimization.BatchSize})" : "") +
            (d.TrainLimit > 0 ? $", the first {d.TrainLimit:N0} only" : "") + " |");
        if (_last?.Evaluation.Heads.Values.FirstOrDefault() is { } head)
            text.AppendLine($"| validation | {Cell(d.ValidationManifest ?? d.Dataset)}: {head.Samples:N0} images" +
                (d.TestLimit > 0 ? $", the first {d.TestLimit:N0} only" : "") + " |");
        text.AppendLine();
    }

    private void Recipe(StringBuilder text)
    {
        var o = config.Optimization;
        var a = config.Augmentation;
        string I(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        text.AppendLine("## Recipe").AppendLine().AppendLine("| | |").AppendLine("|---|---|");
        text.AppendLine($"| epochs, batch | {config.Schedule.Epochs}, {o.BatchSize} |");
        text.AppendLine($"| optimiser | {(o.Optimizer == OptimizerKind.Sgd ? $"SGD, momentum {I(o.Momentum)}{(o.Nesterov ? " (Nesterov)" : "")}" : "AdamW")}, weight decay {I(o.WeightDecay)} |");
        text.AppendLine($"| learning rate | {I(o.LearningRate)} peak, {ConfigJson.Options.PropertyNamingPolicy!.ConvertName(config.Schedule.Kind.ToString())} schedule" +
            (config.Schedule.WarmupEpochs > 0 ? $", {I(config.Schedule.WarmupEpochs)} warm-up epochs" : "") + " |");
        text.AppendLine($"| augmentation | crop padding {a.CropPadding}, flip {(a.HorizontalFlip ? "on" : "off")}, erasing {I(a.ErasingProbability)}, " +
            $"mixup {I(a.MixupAlpha)}, CutMix {I(a.CutmixAlpha)}, label smoothing {I(a.LabelSmoothing)} |");
        text.AppendLine($"| precision, seed | {config.Precision.Compute.ToString().ToLowerInvariant()}, {config.Run.Seed} |");
        text.AppendLine().AppendLine($"Every setting: [{RunFolder.ConfigFileName}]({RunFolder.ConfigFileName}); " +
            $"`resnet train --config {RunFolder.ConfigFileName}` trains the same again.").AppendLine();
    }

    private void Results(StringBuilder text)
    {
        var table = EpochTable.Read(new MetricsLog(folder).CsvPath);
        if (table.Rows == 0)
            return;
        bool classifies = table.Column("top1").Any(double.IsFinite);
        var columns = new List<(string Title, string Column, bool Percent)> { ("train loss", "train_loss", false) };
        if (classifies)
            columns.Add(("train top-1", "train_top1", true));
        columns.Add(("test loss", "test_loss", false));
        if (classifies)
            columns.AddRange([("test top-1", "top1", true), ("test top-5", "top5", true)]);
        if (table.Column("ema_top1").Any(double.IsFinite))
            columns.Add(("EMA test top-1", "ema_top1", true));
        foreach (string name in table.Names.Where(n => MetricsLog.IsHeadColumn(n) && !n.EndsWith(".loss", StringComparison.Ordinal)))
            columns.Add((name, name, name.EndsWith("top1", StringComparison.Ordinal) || name.EndsWith("top5", StringComparison.Ordinal)));
        columns.AddRange([("lr", "lr", false), ("time (s)", "seconds", false)]);
        text.AppendLine("## Results").AppendLine();
        text.AppendLine("| epoch | " + string.Join(" | ", columns.Select(c => c.Title)) + " |");
        text.AppendLine("|---|" + string.Concat(columns.Select(_ => "---|")));
        var epochs = table.Column("epoch");
        for (int row = 0; row < table.Rows; row++)
            text.AppendLine($"| {epochs[row]:0} | " + string.Join(" | ", columns.Select(c => Number(table.Column(c.Column)[row], c.Percent, c.Column))) + " |");
        text.AppendLine();
        if (classifies)
        {
            var top1 = table.Column("top1");
            int best = Enumerable.Range(0, table.Rows).Where(i => double.IsFinite(top1[i])).MaxBy(i => top1[i]);
            text.AppendLine($"Best test top-1: **{top1[best]:P2}** at epoch {epochs[best]:0}; last: {top1[^1]:P2}. " +
                "Train top-1 is measured on the augmented batches while the weights change, so it can sit below the test figure.").AppendLine();
        }
    }

    private void PerClass(StringBuilder text)
    {
        if (_last is not { } last)
            return;
        foreach (var (head, result) in last.Evaluation.Heads)
        {
            if (result is not EvaluationResult classes)
                continue;
            string which = last.Evaluation.Heads.Count > 1 ? $" of head `{head}`" : "";
            text.AppendLine($"## Per class{which} (epoch {last.Epoch + 1})").AppendLine();
            text.AppendLine("| class | test top-1 | images | most often taken for |").AppendLine("|---|---|---|---|");
            for (int i = 0; i < classes.ClassNames.Count; i++)
            {
                var row = classes.Confusion[i];
                long total = row.Sum();
                int confused = Enumerable.Range(0, row.Length).Where(j => j != i).DefaultIfEmpty(-1).MaxBy(j => j < 0 ? 0 : row[j]);
                string mistaken = confused >= 0 && row[confused] > 0 ? $"{Cell(classes.ClassNames[confused])} ({row[confused]:N0})" : "";
                text.AppendLine($"| {Cell(classes.ClassNames[i])} | {Number(classes.PerClassAccuracy[i], true, "")} | {total:N0} | {mistaken} |");
            }
            text.AppendLine();
        }
    }

    private void Plots(StringBuilder text)
    {
        var plots = new List<(string Title, string File)> { ("Loss", "loss.png"), ("Accuracy", "accuracy.png"), ("Learning rate", "lr.png"), ("Confusion matrix", "confusion.png") };
        if (_last is { } last && last.Evaluation.Heads.Count > 1)
            plots.AddRange(last.Evaluation.Heads.Keys.Select(h => ($"Head {h}", $"head-{h}.png")));
        text.AppendLine("## Plots").AppendLine();
        foreach (var (title, file) in plots)
            text.AppendLine($"![{title}]({file})");
    }

    /// <summary>Parameters in best.safetensors (its header only): every tensor but the norms' running statistics.</summary>
    private long? Parameters()
    {
        string best = System.IO.Path.Combine(folder, "best.safetensors");
        if (!File.Exists(best))
            return null;
        try
        {
            return WeightFile.ReadShapes(best)
                .Where(t => !t.Name.EndsWith("running_mean", StringComparison.Ordinal) && !t.Name.EndsWith("running_var", StringComparison.Ordinal)
                    && !t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                .Sum(t => t.Shape.Aggregate(1L, (n, d) => n * d));
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException)
        {
            return null;
        }
    }

    private static string HeadText(string name, HeadResult result) => result switch
    {
        EvaluationResult c => $"`{name}`: classification, {c.ClassNames.Count} classes",
        RegressionResult r => $"`{name}`: regression, {r.MaePerOutput.Count} output(s)",
        _ => $"`{name}`",
    };

    private static string Number(double value, bool percent, string column) =>
        !double.IsFinite(value) ? "" :
        percent ? value.ToString("P2", CultureInfo.InvariantCulture) :
        column == "lr" ? value.ToString("G3", CultureInfo.InvariantCulture) :
        column == "seconds" ? value.ToString("F0", CultureInfo.InvariantCulture) :
        value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Text safe inside a Markdown table cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");

    private static string Version() =>
        typeof(TrainingConfig).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "?";
}
