using ResNetSharp.Cli.Output;
using ResNetSharp.Imaging;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

public class TrainingCurvesTests
{
    private static EpochReport Report(int epoch, int epochs, double top1, double testLoss = 0.5)
    {
        string[] names = ["T-shirt/top", "Ankle boot"];
        var test = new EvaluationResult(10, top1, 1.0, testLoss, [top1, top1], [[4, 1], [1, 4]], names);
        return new EpochReport(epoch, epochs, 0.7 / (epoch + 1), new NetworkEvaluation(new Dictionary<string, HeadResult> { ["fc"] = test }, test.Loss),
            TimeSpan.FromSeconds(epoch + 1), true)
        {
            TrainAccuracy = new Dictionary<string, double> { ["fc"] = top1 - 0.05 }, LearningRate = 0.1 / (epoch + 1),
        };
    }

    /// <summary>Runs <paramref name="epochs"/> epochs of reports (4 logged steps each) through a metrics log and the curves.</summary>
    private static TrainingCurves Train(string folder, int epochs, Func<int, double>? testLoss = null)
    {
        var log = new MetricsLog(folder);
        var curves = new TrainingCurves(folder);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int step = 0; step < 4; step++)
            {
                var stepReport = new StepReport(epoch, epoch * 4 + step, epochs * 4L, 1.0, 0.1 * (step + 1), 100) { StepsPerEpoch = 4 };
                log.Step(stepReport);
                curves.Step(stepReport);
            }
            var report = Report(epoch, epochs, 0.5 + epoch / 40.0, testLoss?.Invoke(epoch) ?? 0.5);
            log.Epoch(report);
            curves.Epoch(report);
        }
        return curves;
    }

    /// <summary>Positions of the pixels left of <paramref name="maxX"/> whose colour is near ScottPlot's first series colour (#1f77b4, the train series).</summary>
    private static List<(int X, int Y)> FirstSeriesPixels(string path, int maxX = int.MaxValue)
    {
        var image = ImageDecoder.Decode(path);
        var found = new List<(int, int)>();
        for (int i = 0; i < image.Width * image.Height; i++)
        {
            int r = image.Rgb[i * 3], g = image.Rgb[i * 3 + 1], b = image.Rgb[i * 3 + 2];
            if (Math.Abs(r - 0x1f) < 30 && Math.Abs(g - 0x77) < 30 && Math.Abs(b - 0xb4) < 30 && i % image.Width < maxX)
                found.Add((i % image.Width, i / image.Width));
        }
        return found;
    }

    [Fact]
    public void EveryPlotIsWrittenAfterFlushWithoutTemporaryFiles()
    {
        using var folder = new TemporaryFolder();
        var curves = Train(folder.Path, 3);

        Assert.Null(curves.Failure);
        foreach (var (path, width, height) in new[]
        {
            (curves.LossPath, CurvePlots.Width, CurvePlots.Height), (curves.AccuracyPath, CurvePlots.Width, CurvePlots.Height),
            (curves.LearningRatePath, CurvePlots.Width, CurvePlots.Height), (curves.ConfusionPath, ConfusionPlot.Width, ConfusionPlot.Height),
        })
        {
            var image = ImageDecoder.Decode(path);
            Assert.Equal((width, height), (image.Width, image.Height));
        }
        Assert.Empty(Directory.GetFiles(folder.Path, ResNetSharp.Common.AtomicFile.TemporaryPrefix + "*"));
    }

    [Fact]
    public void OneEpochIsDrawnAsVisibleMarkers()
    {
        using var folder = new TemporaryFolder();
        var curves = Train(folder.Path, 1);

        // A single point was invisible as a bare line; its marker is a disc of ~7 px.
        Assert.InRange(FirstSeriesPixels(curves.LossPath).Count, 20, 2000);
        Assert.InRange(FirstSeriesPixels(curves.AccuracyPath).Count, 20, 2000);
    }

    [Fact]
    public void EpochsCsvCarriesTrainAccuracyAndLearningRateByName()
    {
        using var folder = new TemporaryFolder();
        var _ = Train(folder.Path, 2);

        var table = EpochTable.Read(new MetricsLog(folder.Path).CsvPath);
        Assert.Equal(2, table.Rows);
        Assert.Equal([1.0, 2.0], table.Column("epoch"));
        Assert.Equal(0.45, table.Column("train_top1")[0], 12);
        Assert.Equal(0.05, table.Column("lr")[1], 12);
        Assert.All(table.Column("no_such_column"), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void AHugeTestLossKeepsTheOtherCurveVisibleOnTheLogAxis()
    {
        using var folder = new TemporaryFolder();
        var curves = Train(folder.Path, 5, epoch => epoch == 2 ? 535 : 0.4);

        // On a linear axis a test loss of 535 squashed the train loss (0.14-0.7) into a flat line along the
        // bottom; on the log axis it keeps a height: its pixels spread over more than a few rows.
        int rows = FirstSeriesPixels(curves.LossPath, maxX: CurvePlots.Width * 3 / 4).Select(p => p.Y).Distinct().Count(); // left of the legend
        Assert.True(rows > 40, $"the train loss spans {rows} pixel rows");
    }

    [Fact]
    public void APlotThatCannotBeWrittenIsReportedNotThrown()
    {
        using var folder = new TemporaryFolder();
        var curves = new TrainingCurves(folder.Path);
        Directory.CreateDirectory(curves.ConfusionPath); // a folder where the file should go

        curves.Epoch(Report(0, 1, 0.5));

        Assert.NotNull(curves.Failure);
        Assert.Contains(folder.Path, curves.Failure);
    }
}
