using ResNetSharp.Training;
using Spectre.Console;

namespace ResNetSharp.Cli.Output;

/// <summary>The table printed at the end of a training run.</summary>
public static class TrainingSummary
{
    /// <summary>Writes the summary of <paramref name="outcome"/>.</summary>
    public static void Write(TextWriter output, TrainingConfig config, string folder, TrainingOutcome outcome)
    {
        var console = Consoles.For(output);
        var table = new Table().Border(TableBorder.Rounded).Title(outcome.Completed ? "Training finished" : "Training stopped (resume with --resume)")
            .AddColumn("").AddColumn("");
        table.AddRow("model / data", Markup.Escape($"{config.Model} / {config.Data.Manifest ?? config.Data.Dataset}"));
        table.AddRow("epochs done", $"{outcome.Progress.Epoch} of {config.Schedule.Epochs} (step {outcome.Progress.GlobalStep:N0})");
        if (outcome.LastEvaluation is { Heads.Count: 1 } single && single.Classification is { } last)
        {
            table.AddRow("test top-1 / top-5", $"{last.Top1:P2} / {last.Top5:P2}");
            table.AddRow("best test top-1", $"{outcome.Progress.BestMetric:P2}");
            table.AddRow("per class", Markup.Escape(string.Join(", ",
                last.ClassNames.Select((name, i) => $"{name} {last.PerClassAccuracy[i]:P1}"))));
        }
        else if (outcome.LastEvaluation is { } evaluation)
            foreach (var (head, result) in evaluation.Heads)
                table.AddRow(Markup.Escape($"head {head}"), Markup.Escape(string.Join(", ", result.Metrics.Select(m => $"{m.Name} {m.Value:G4}"))));
        table.AddRow("wall time", $"{outcome.Elapsed.TotalSeconds:F1} s");
        table.AddRow("run folder", Markup.Escape(folder));
        console.Write(table);
    }
}
