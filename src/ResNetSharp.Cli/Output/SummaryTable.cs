using ResNetSharp.Analysis;
using Spectre.Console;

namespace ResNetSharp.Cli.Output;

/// <summary>Renders a <see cref="ModelSummary"/> as a table.</summary>
public static class SummaryTable
{
    /// <summary>Writes the table and totals to <paramref name="output"/>.</summary>
    public static void Write(ModelSummary summary, TextWriter output)
    {
        var console = Consoles.For(output);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{summary.Model} @ {string.Join("x", summary.Input)}")
            .AddColumn("Layer").AddColumn("Kind").AddColumn("Output")
            .AddColumn(new TableColumn("Params").RightAligned()).AddColumn(new TableColumn("MACs").RightAligned());
        foreach (var row in summary.Stages)
        {
            AddRow(table, row, bold: true);
            foreach (var block in row.Blocks)
                AddRow(table, block with { Name = "  " + block.Name }, bold: false);
        }
        table.AddEmptyRow();
        table.AddRow("[bold]Total[/]", "", "", $"[bold]{summary.Parameters:N0}[/]", $"[bold]{Giga(summary.Macs)}[/]");
        console.Write(table);
        console.WriteLine($"Parameters: {summary.Parameters:N0} ({summary.TrainableParameters:N0} trainable)");
        console.WriteLine($"MACs per sample: {summary.Macs:N0} ({Giga(summary.Macs)})");
    }

    private static void AddRow(Table table, SummaryRow row, bool bold)
    {
        string Style(string text) => bold ? $"[bold]{Markup.Escape(text)}[/]" : Markup.Escape(text);
        table.AddRow(Style(row.Name), Style(row.Kind), Style(string.Join("x", row.OutputShape)),
            Style(row.Parameters.ToString("N0")), Style(Giga(row.Macs)));
    }

    private static string Giga(long macs) => macs >= 100_000_000 ? $"{macs / 1e9:F2} G" : $"{macs / 1e6:F2} M";
}
