using ResNetSharp.Training;
using Spectre.Console;

namespace ResNetSharp.Cli.Output;

/// <summary>Renders an <see cref="EvaluationResult"/>: totals, per-class accuracy and the confusion matrix.</summary>
public static class EvaluationTable
{
    /// <summary>Writes the tables to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, string title, EvaluationResult result)
    {
        var console = Consoles.For(output);
        console.WriteLine(title);
        console.WriteLine($"images {result.Samples:N0}  top-1 {result.Top1:P2}  top-5 {result.Top5:P2}  loss {result.Loss:F4}");
        var confusion = new Table().Border(TableBorder.Rounded).Title("confusion (rows: true class)").AddColumn("class").AddColumn(new TableColumn("acc").RightAligned());
        for (int i = 0; i < result.ClassNames.Count; i++)
            confusion.AddColumn(new TableColumn(i.ToString()).RightAligned());
        for (int i = 0; i < result.ClassNames.Count; i++)
            confusion.AddRow([Markup.Escape($"{i} {result.ClassNames[i]}"), $"{result.PerClassAccuracy[i]:P1}",
                .. result.Confusion[i].Select(n => n.ToString())]);
        console.Write(confusion);
    }
}
