using System.Globalization;
using Spectre.Console;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// Progress of one long job (a download in bytes, an embedding run in images): a live bar on a terminal,
/// otherwise a plain line at each tenth of the work, so logs stay short.
/// </summary>
public static class ProgressDisplay
{
    /// <summary>What is counted: bytes get sizes and a transfer rate, items a count.</summary>
    public enum Unit
    {
        /// <summary>Bytes of a download.</summary>
        Bytes,
        /// <summary>Images or other items.</summary>
        Items,
    }

    /// <summary>Runs <paramref name="work"/>, which reports (done, total when known) through the progress it is handed.</summary>
    public static T Run<T>(TextWriter output, string description, Unit unit, Func<IProgress<(long Done, long? Total)>, T> work)
    {
        var console = Consoles.For(output);
        if (!console.Profile.Capabilities.Interactive)
            return work(new PlainLines(output, description, unit));
        var columns = new List<ProgressColumn> { new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn() };
        if (unit == Unit.Bytes)
            columns.AddRange([new DownloadedColumn(), new TransferSpeedColumn()]);
        columns.Add(new RemainingTimeColumn());
        return console.Progress().AutoClear(false).HideCompleted(false).Columns(columns.ToArray()).Start(context =>
        {
            var task = context.AddTask(Markup.Escape(description), maxValue: 1);
            var result = work(new BarProgress(task));
            task.Value = task.MaxValue;
            return result;
        });
    }

    /// <summary>Moves a live bar; Spectre's tasks may be updated from any thread.</summary>
    private sealed class BarProgress(ProgressTask task) : IProgress<(long Done, long? Total)>
    {
        public void Report((long Done, long? Total) value)
        {
            if (value.Total is { } total && total > 0)
                task.MaxValue = total;
            else
                task.IsIndeterminate = true;
            task.Value = value.Done;
        }
    }

    /// <summary>A line per tenth: "NAME: 30% (12.1 MB of 40.3 MB)".</summary>
    private sealed class PlainLines(TextWriter output, string description, Unit unit) : IProgress<(long Done, long? Total)>
    {
        private int _tenths = -1;

        public void Report((long Done, long? Total) value)
        {
            if (value.Total is not { } total || total <= 0)
                return;
            int tenths = (int)Math.Min(10, value.Done * 10 / total);
            if (tenths <= _tenths)
                return;
            _tenths = tenths;
            output.WriteLine($"{description}: {tenths * 10}% ({Amount(value.Done, unit)} of {Amount(total, unit)})");
        }
    }

    private static string Amount(long value, Unit unit) =>
        unit == Unit.Items ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value >= 1 << 20 ? string.Create(CultureInfo.InvariantCulture, $"{value / 1048576.0:F1} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{value / 1024.0:F1} kB");
}
