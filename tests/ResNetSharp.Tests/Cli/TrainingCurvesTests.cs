using ResNetSharp.Cli.Output;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

public class TrainingCurvesTests
{
    private static EpochReport Report(int epoch, double top1)
    {
        string[] names = ["a", "b"];
        var test = new EvaluationResult(10, top1, 1.0, 0.5, [top1, top1], [[4, 1], [1, 4]], names);
        return new EpochReport(epoch, 5, 0.7, new NetworkEvaluation(new Dictionary<string, HeadResult> { ["fc"] = test }, test.Loss), TimeSpan.FromSeconds(epoch + 1), true);
    }

    [Fact]
    public void PlotsAreDrawnInTheBackgroundAndCompleteAfterFlush()
    {
        using var folder = new TemporaryFolder();
        var log = new MetricsLog(folder.Path);
        using var curves = new TrainingCurves(folder.Path);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var report = Report(epoch, 0.5 + epoch / 10.0);
            log.Epoch(report);
            curves.Epoch(report);
        }
        curves.Flush();

        Assert.Null(curves.Failure);
        foreach (var (path, height) in new[] { (curves.LossPath, 500), (curves.AccuracyPath, 500), (curves.ConfusionPath, 700) })
        {
            var image = ResNetSharp.Imaging.ImageDecoder.Decode(path);
            Assert.Equal((800, height), (image.Width, image.Height));
        }
        Assert.Empty(Directory.GetFiles(folder.Path, ResNetSharp.Common.AtomicFile.TemporaryPrefix + "*"));
    }

    [Fact]
    public void APlotThatCannotBeWrittenIsReportedNotThrown()
    {
        using var folder = new TemporaryFolder();
        using var curves = new TrainingCurves(folder.Path);
        Directory.CreateDirectory(curves.ConfusionPath); // a folder where the file should go

        curves.Epoch(Report(0, 0.5));
        curves.Flush();

        Assert.NotNull(curves.Failure);
        Assert.Contains(folder.Path, curves.Failure);
    }
}
