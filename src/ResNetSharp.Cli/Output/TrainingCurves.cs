using System.Globalization;
using ResNetSharp.Common;
using ResNetSharp.Training;
using ScottPlot;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// Redraws loss.png and accuracy.png in the run folder after every epoch, from the run's epochs.csv, so
/// a resumed run's plots cover all its epochs. Files are replaced atomically.
/// </summary>
public sealed class TrainingCurves(string folder) : TrainingObserver
{
    /// <summary>Train and test loss per epoch.</summary>
    public string LossPath => Path.Combine(folder, "loss.png");

    /// <summary>Test top-1 and top-5 (and the weight average's top-1) per epoch.</summary>
    public string AccuracyPath => Path.Combine(folder, "accuracy.png");

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        string csv = new MetricsLog(folder).CsvPath;
        var rows = File.Exists(csv)
            ? File.ReadAllLines(csv).Skip(1).Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList()
            : [];
        if (rows.Count == 0)
            return;
        double[] Column(int i) => rows.Select(r => i < r.Length ? r[i] : double.NaN).ToArray();
        var epochs = Column(0);

        Save(LossPath, "Loss", "cross-entropy", Alignment.UpperRight, plot =>
        {
            plot.Add.ScatterLine(epochs, Column(1)).LegendText = "train";
            plot.Add.ScatterLine(epochs, Column(2)).LegendText = "test";
        });
        Save(AccuracyPath, "Test accuracy", "accuracy", Alignment.LowerRight, plot =>
        {
            plot.Add.ScatterLine(epochs, Column(3)).LegendText = "top-1";
            plot.Add.ScatterLine(epochs, Column(4)).LegendText = "top-5";
            var ema = Column(6);
            if (ema.Any(double.IsFinite))
                plot.Add.ScatterLine(epochs, ema).LegendText = "EMA top-1";
        });
    }

    private static void Save(string path, string title, string yLabel, Alignment legend, Action<Plot> draw)
    {
        using var plot = new Plot();
        draw(plot);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        byte[] png = plot.GetImageBytes(800, 500, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
