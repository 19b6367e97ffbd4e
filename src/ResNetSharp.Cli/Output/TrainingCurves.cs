using System.Globalization;
using ResNetSharp.Common;
using ResNetSharp.Training;
using ScottPlot;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// Redraws loss.png and accuracy.png in the run folder after every epoch, from the run's epochs.csv, so
/// a resumed run's plots cover all its epochs, and confusion.png from the epoch's test confusion matrix
/// (rows: true class, normalised). Files are replaced atomically. Drawing takes a tenth of a second or
/// more per epoch, so it runs on a background thread that draws only the newest epoch it has been handed;
/// <see cref="Flush"/> waits for it. A plot that cannot be written never stops training: the first such
/// problem is kept in <see cref="Failure"/>.
/// </summary>
public sealed class TrainingCurves(string folder) : TrainingObserver, IDisposable
{
    private readonly object _gate = new();
    private (string[] Header, double[][] Rows, EvaluationResult? Test)? _pending;
    private bool _drawing;
    private Task _worker = Task.CompletedTask;

    /// <summary>Train and test loss per epoch.</summary>
    public string LossPath => Path.Combine(folder, "loss.png");

    /// <summary>Test top-1 and top-5 (and the weight average's top-1) per epoch.</summary>
    public string AccuracyPath => Path.Combine(folder, "accuracy.png");

    /// <summary>The last epoch's confusion matrix, each row divided by its class's count.</summary>
    public string ConfusionPath => Path.Combine(folder, "confusion.png");

    /// <summary>Why a plot could not be written, if one could not.</summary>
    public string? Failure { get; private set; }

    /// <inheritdoc />
    public override void Epoch(EpochReport report)
    {
        // epochs.csv is read here, on the training thread, before the next epoch appends to it.
        string csv = new MetricsLog(folder).CsvPath;
        var lines = File.Exists(csv) ? File.ReadAllLines(csv) : [];
        var header = lines.FirstOrDefault()?.Split(',') ?? [];
        var rows = lines.Skip(1).Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        lock (_gate)
        {
            _pending = (header, rows, report.Test);
            if (!_drawing)
            {
                _drawing = true;
                _worker = Task.Run(DrawPending);
            }
        }
    }

    /// <summary>Waits until the newest epoch handed over has been drawn.</summary>
    public void Flush()
    {
        Task worker;
        lock (_gate)
            worker = _worker;
        worker.Wait();
    }

    /// <inheritdoc />
    public void Dispose() => Flush();

    private void DrawPending()
    {
        while (true)
        {
            (string[] Header, double[][] Rows, EvaluationResult? Test) next;
            lock (_gate)
            {
                if (_pending is null)
                {
                    _drawing = false;
                    return;
                }
                next = _pending.Value;
                _pending = null;
            }
            try
            {
                Draw(next.Header, next.Rows, next.Test);
            }
            catch (Exception e) // plots are a view of the run: whatever goes wrong there must not stop training
            {
                Failure ??= $"could not draw the plots in {folder}: {e.Message}";
            }
        }
    }

    /// <summary>The plot of head <paramref name="head"/>'s metrics (named heads only).</summary>
    public string HeadPath(string head) => Path.Combine(folder, $"head-{head}.png");

    private void Draw(string[] header, double[][] rows, EvaluationResult? test)
    {
        if (test is not null)
            SaveConfusion(test);
        if (rows.Length == 0)
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
        // Named heads: HEAD.METRIC columns, one plot per head with its metrics (and the average's).
        var headColumns = header.Select((name, index) => (name, index)).Where(c => c.name.Contains('.')).ToList();
        foreach (var head in headColumns.Where(c => !c.name.StartsWith("ema.", StringComparison.Ordinal)).GroupBy(c => c.name[..c.name.IndexOf('.')]))
            Save(HeadPath(head.Key), $"Head {head.Key}", "value", Alignment.UpperRight, plot =>
            {
                foreach (var (name, index) in head.Concat(headColumns.Where(c => c.name.StartsWith($"ema.{head.Key}.", StringComparison.Ordinal))))
                    plot.Add.ScatterLine(epochs, Column(index)).LegendText = name[(name.IndexOf('.') + 1)..].Replace(".", " ");
            });
    }

    private void SaveConfusion(EvaluationResult test)
    {
        int n = test.ClassNames.Count;
        var rates = new double[n, n];
        for (int row = 0; row < n; row++)
        {
            double count = Math.Max(1, test.Confusion[row].Sum());
            for (int column = 0; column < n; column++)
                rates[row, column] = test.Confusion[row][column] / count;
        }
        using var plot = new Plot();
        var heatmap = plot.Add.Heatmap(rates);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var labels = test.ClassNames.ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Title($"Confusion matrix (top-1 {test.Top1:P2})");
        plot.XLabel("predicted");
        plot.YLabel("true");
        WritePng(plot, ConfusionPath, 800, 700);
    }

    private static void Save(string path, string title, string yLabel, Alignment legend, Action<Plot> draw)
    {
        using var plot = new Plot();
        draw(plot);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        WritePng(plot, path, 800, 500);
    }

    private static void WritePng(Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
