using System.Globalization;
using ResNetSharp.IO;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Output;

/// <summary>A run's epochs.csv read by column name; a column an older file lacks reads as NaN.</summary>
public sealed class EpochTable
{
    private readonly Dictionary<string, double[]> _columns;

    private EpochTable(string[] names, Dictionary<string, double[]> columns, int rows)
    {
        Names = names;
        _columns = columns;
        Rows = rows;
    }

    /// <summary>Epochs in the file.</summary>
    public int Rows { get; }

    /// <summary>The column names, in the file's order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Reads <paramref name="path"/>; an absent file is an empty table.</summary>
    public static EpochTable Read(string path)
    {
        if (!InputFile.Exists(path, MetricsLog.CsvDescription))
            return new EpochTable([], [], 0);
        var lines = InputFile.ReadLines(path, MetricsLog.CsvDescription, MetricsLog.MaxCsvBytes).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0)
            return new EpochTable([], [], 0);
        string[] header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var columns = header.Select((name, i) => (name, values: rows.Select(r => i < r.Length && double.TryParse(r[i],
                NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToArray()))
            .DistinctBy(c => c.name).ToDictionary(c => c.name, c => c.values);
        return new EpochTable(header, columns, rows.Length);
    }

    /// <summary>The values of column <paramref name="name"/>, one per epoch.</summary>
    public double[] Column(string name) => _columns.TryGetValue(name, out var values) ? values : Enumerable.Repeat(double.NaN, Rows).ToArray();
}
