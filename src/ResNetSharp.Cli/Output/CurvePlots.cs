using ScottPlot;
using ScottPlot.TickGenerators;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// The run's curves as PNG bytes: loss (log scale), accuracy, learning rate. Every series has markers (one
/// epoch is one visible point), the epoch axis ticks at whole epochs, and legends sit outside the data.
/// </summary>
public static class CurvePlots
{
    /// <summary>Width and height of each curve plot, in pixels.</summary>
    public const int Width = 800, Height = 500;

    /// <summary>Train and test loss per epoch on a logarithmic axis (a test loss of hundreds does not flatten the rest).</summary>
    public static byte[] Loss(EpochTable table)
    {
        using var plot = EpochPlot(table, "Loss (log scale)", "cross-entropy");
        var series = new[] { ("train", table.Column("train_loss")), ("test", table.Column("test_loss")) };
        var positive = series.SelectMany(s => s.Item2).Where(v => v > 0 && double.IsFinite(v)).ToArray();
        foreach (var (name, values) in series)
            AddSeries(plot, table.Column("epoch"), values.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray(), name);
        if (positive.Length > 0)
            LogTicks(plot, positive.Min(), positive.Max());
        return Png(plot);
    }

    /// <summary>Train top-1 (on the augmented batches), test top-1 and, when kept, the weight average's test top-1.</summary>
    public static byte[] Accuracy(EpochTable table)
    {
        using var plot = EpochPlot(table, "Accuracy", "top-1");
        var epochs = table.Column("epoch");
        AddSeries(plot, epochs, table.Column("train_top1"), "train (augmented)");
        AddSeries(plot, epochs, table.Column("top1"), "test");
        AddSeries(plot, epochs, table.Column("ema_top1"), "test, EMA weights");
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            LabelFormatter = v => (v * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%",
        };
        // At least a few points of accuracy tall, so one or two epochs do not magnify noise into the whole height.
        var values = new[] { "train_top1", "top1", "ema_top1" }.SelectMany(table.Column).Where(double.IsFinite).ToArray();
        if (values.Length > 0)
        {
            double pad = Math.Max(0.01, (values.Max() - values.Min()) * 0.08);
            plot.Axes.SetLimitsY(Math.Max(0, values.Min() - pad), Math.Min(1, values.Max() + pad));
        }
        return Png(plot);
    }

    /// <summary>
    /// One named head's metrics per epoch (HEAD.METRIC columns, the weight average's ema.HEAD.METRIC dashed):
    /// accuracies and errors share the axis, so each series is labelled with its metric.
    /// </summary>
    public static byte[] Head(EpochTable table, string head)
    {
        using var plot = EpochPlot(table, $"Head {head}", "value");
        var epochs = table.Column("epoch");
        foreach (string name in table.Names.Where(n => n.StartsWith($"{head}.", StringComparison.Ordinal)))
            AddSeries(plot, epochs, table.Column(name), name[(head.Length + 1)..].Replace('_', ' '));
        foreach (string name in table.Names.Where(n => n.StartsWith($"ema.{head}.", StringComparison.Ordinal)))
            AddSeries(plot, epochs, table.Column(name), name[(head.Length + 5)..].Replace('_', ' ') + ", EMA weights", dashed: true);
        return Png(plot);
    }

    /// <summary>Learning rate against (fractional) epochs: <paramref name="points"/> are (epochs done, rate).</summary>
    public static byte[] LearningRate(IReadOnlyList<(double Epoch, double Rate)> points, int epochs)
    {
        using var plot = new Plot();
        AddSeries(plot, points.Select(p => p.Epoch).ToArray(), points.Select(p => p.Rate).ToArray(), "learning rate", markerSize: 4);
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimitsX(0, Math.Max(1, epochs));
        Label(plot, "Learning rate", "epoch", "learning rate");
        plot.ShowLegend(Edge.Right);
        return Png(plot);
    }

    private static Plot EpochPlot(EpochTable table, string title, string yLabel)
    {
        var plot = new Plot();
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        double last = table.Column("epoch").Where(double.IsFinite).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsX(0.5, last + 0.5);
        Label(plot, title, "epoch", yLabel);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static void Label(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
    }

    /// <summary>Adds the finite points of a series (a missing value is skipped, not drawn as a gap to zero).</summary>
    private static void AddSeries(Plot plot, double[] xs, double[] ys, string name, float markerSize = 7, bool dashed = false)
    {
        var points = xs.Zip(ys).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        if (points.Length == 0)
            return;
        var scatter = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
        scatter.LegendText = name;
        scatter.MarkerSize = markerSize;
        scatter.MarkerShape = MarkerShape.FilledCircle;
        scatter.LineWidth = 2;
        if (dashed)
            scatter.LinePattern = LinePattern.Dashed;
    }

    /// <summary>Ticks at 1-2-5 steps of each decade (every integer step of a decade when the data spans less than two such ticks), labelled with the values.</summary>
    private static void LogTicks(Plot plot, double min, double max)
    {
        var ticks = new NumericManual();
        double[] Steps(double[] mantissas) => Enumerable.Range((int)Math.Floor(Math.Log10(min)) - 1, (int)Math.Ceiling(Math.Log10(max)) - (int)Math.Floor(Math.Log10(min)) + 3)
            .SelectMany(e => mantissas.Select(m => m * Math.Pow(10, e))).ToArray();
        var inside = Steps([1, 2, 5]).Where(v => v >= min && v <= max).ToArray();
        if (inside.Length < 2)
            inside = Steps([1, 2, 3, 4, 5, 6, 7, 8, 9]).Where(v => v >= min / 1.5 && v <= max * 1.5).ToArray();
        if (inside.Length < 2) // a narrow range (one epoch, or losses within a factor of 1.5): tenths of each decade
            inside = Steps([.. Enumerable.Range(10, 90).Select(m => m / 10.0)]).Where(v => v >= min / 1.15 && v <= max * 1.15).ToArray();
        if (inside.Length > 8)
            inside = inside.Where((_, i) => i % (int)Math.Ceiling(inside.Length / 6.0) == 0).ToArray();
        foreach (double v in inside)
            ticks.AddMajor(Math.Log10(v), v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Left.TickGenerator = ticks;
        double low = Math.Log10(Math.Min(min, inside.DefaultIfEmpty(min).Min())), high = Math.Log10(Math.Max(max, inside.DefaultIfEmpty(max).Max()));
        double pad = Math.Max(0.05, (high - low) * 0.08);
        plot.Axes.SetLimitsY(low - pad, high + pad);
    }

    internal static byte[] Png(Plot plot, int width = Width, int height = Height) => plot.GetImageBytes(width, height, ImageFormat.Png);
}
