using System.Text.Json;
using ResNetSharp.Common;
using ResNetSharp.IO;
using ResNetSharp.Training;
using ScottPlot;

namespace ResNetSharp.Cli.Output;

/// <summary>One run's error curves against iterations, read from its metrics.jsonl.</summary>
/// <param name="Name">The run's label (its folder's name).</param>
/// <param name="Iterations">Optimiser steps done at each epoch's end.</param>
/// <param name="TestError">1 - test top-1 at each epoch's end.</param>
/// <param name="TrainError">1 - training top-1 over the epoch's (augmented) batches; NaN where the log has none.</param>
public sealed record ErrorCurve(string Name, double[] Iterations, double[] TestError, double[] TrainError)
{
    /// <summary>
    /// The curve of the run in <paramref name="folder"/>: each epoch record's top1 (and trainTop1, when logged)
    /// against the steps done by then, which is the last logged step before it (metrics.jsonl counts steps done,
    /// from 1, and the last step of every epoch is logged), so epoch numbering does not matter.
    /// </summary>
    public static ErrorCurve Read(string folder)
    {
        string path = Path.Combine(folder, "metrics.jsonl");
        if (!InputFile.Exists(path, MetricsLog.JsonLinesDescription))
            throw new FileNotFoundException($"{folder}: no metrics.jsonl; expected the folder of a resnet train run.", path);
        var iterations = new List<double>();
        var test = new List<double>();
        var train = new List<double>();
        long steps = 0;
        int number = 0;
        foreach (var line in InputFile.ReadLines(path, MetricsLog.JsonLinesDescription, MetricsLog.MaxJsonLinesBytes))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            JsonElement record;
            try
            {
                record = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException e)
            {
                throw new FormatException($"{path}:{number}: not a JSON record ({e.Message}).", e);
            }
            string? kind = record.TryGetProperty("kind", out var k) ? k.GetString() : null;
            if (kind == "step" && record.TryGetProperty("step", out var step))
                steps = step.GetInt64();
            else if (kind == "epoch")
            {
                iterations.Add(steps);
                test.Add(1 - Number(record, "top1"));
                train.Add(1 - Number(record, "trainTop1"));
            }
        }
        if (iterations.Count == 0)
            throw new FormatException($"{path}: no epoch records yet.");
        return new ErrorCurve(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), [.. iterations], [.. test], [.. train]);
    }

    private static double Number(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;

    /// <summary>
    /// Draws every run's test error (bold) and training error (thin, dashed) in percent against iterations in one
    /// figure, one colour per run, as He et al.'s Figures 1 and 6; written atomically to <paramref name="path"/> (PNG).
    /// </summary>
    public static void Draw(IReadOnlyList<ErrorCurve> curves, string path, string title)
    {
        using var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < curves.Count; i++)
        {
            var curve = curves[i];
            var color = palette.GetColor(i);
            var test = plot.Add.ScatterLine(curve.Iterations, curve.TestError.Select(e => e * 100).ToArray());
            test.Color = color;
            test.LineWidth = 2.5f;
            test.LegendText = $"{curve.Name} test";
            if (curve.TrainError.Any(double.IsFinite))
            {
                var train = plot.Add.ScatterLine(curve.Iterations, curve.TrainError.Select(e => e * 100).ToArray());
                train.Color = color;
                train.LineWidth = 1;
                train.LinePattern = LinePattern.Dashed;
                train.LegendText = $"{curve.Name} train";
            }
        }
        plot.Title(title);
        plot.XLabel("iterations");
        plot.YLabel("error (%)");
        plot.ShowLegend(Alignment.UpperRight);
        byte[] png = plot.GetImageBytes(1000, 600, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
