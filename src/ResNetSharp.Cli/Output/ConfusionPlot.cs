using ResNetSharp.Training;
using ScottPlot;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// A confusion matrix as PNG bytes: rows are true classes, columns predictions, each cell coloured by its
/// share of the true class and labelled with its count; every class name sits whole under or beside its cell.
/// </summary>
public static class ConfusionPlot
{
    /// <summary>Width and height of the plot, in pixels.</summary>
    public const int Width = 820, Height = 760;

    /// <summary>Counts are written into cells up to this many classes (beyond, they would not fit).</summary>
    private const int MaxClassesWithCounts = 20;

    /// <summary>Class names label every cell up to this many classes; beyond, every k-th index does.</summary>
    private const int MaxClassesWithNames = 40;

    /// <summary>Draws <paramref name="test"/>'s confusion matrix.</summary>
    public static byte[] Draw(EvaluationResult test)
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
        var heatmap = plot.Add.Heatmap(rates); // row 0 at the top; cell (row, column) centred on (column, n - 1 - row)
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Axis.SetTicks([0, 0.2, 0.4, 0.6, 0.8, 1], ["0%", "20%", "40%", "60%", "80%", "100%"]);
        if (n <= MaxClassesWithCounts)
            for (int row = 0; row < n; row++)
                for (int column = 0; column < n; column++)
                {
                    var text = plot.Add.Text(test.Confusion[row][column].ToString(), column, n - 1 - row);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = n <= 10 ? 13 : 10;
                    text.LabelFontColor = rates[row, column] > 0.6 ? Colors.Black : Colors.White; // viridis is dark below, yellow above
                }

        var (positions, names) = Labels(test.ClassNames);
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), names);
        // Column names run up and to the left from their cell's centre, ending at the tick (matplotlib's rotation_mode="anchor").
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.TickLabelStyle.OffsetY = 4; // clear of the frame
        int longest = names.Select(s => s.Length).DefaultIfEmpty(1).Max();
        plot.Axes.Bottom.MinimumSize = 40 + longest * 6.5f;
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title($"Confusion matrix, test top-1 {test.Top1 * 100:F2}% ({test.Samples:N0} images)");
        plot.XLabel("predicted (colour: share of the true class)");
        plot.YLabel("true");
        return CurvePlots.Png(plot, Width, Height);
    }

    private static (double[] Positions, string[] Names) Labels(IReadOnlyList<string> classNames)
    {
        int n = classNames.Count;
        if (n <= MaxClassesWithNames)
            return (Enumerable.Range(0, n).Select(i => (double)i).ToArray(), classNames.ToArray());
        int every = (int)Math.Ceiling(n / 20.0);
        var picked = Enumerable.Range(0, n).Where(i => i % every == 0).ToArray();
        return (picked.Select(i => (double)i).ToArray(), picked.Select(i => i.ToString()).ToArray());
    }
}
