using System.Diagnostics;
using ResNetSharp.Cli;
using ResNetSharp.Tests.Cli;

namespace ResNetSharp.Tests.Training;

public class DegradationExperimentTests
{
    [Fact]
    public void TheScriptTrainsAPlainAndAResidualNetAndDrawsTheirErrorsInOneFigure()
    {
        using var run = new TinyRun();
        string output = run.RunFolder("degradation");
        string bench = RecipeTests.RepositoryFolder("bench");
        var start = new ProcessStartInfo("bash", [Path.Combine(bench, "degradation.sh"), output])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["RESNET"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "resnet.dll")}";
        start.Environment["DATA_DIR"] = run.DataDir;
        start.Environment["MODELS"] = "plain20 resnet20";
        start.Environment["ITERATIONS"] = "12";
        start.Environment["BATCH"] = "16";
        start.Environment["TRAIN_LIMIT"] = "96";
        start.Environment["EXTRA"] = "--device cpu";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, text + error.Result);

        Assert.Contains("fashion-mnist: plain20 resnet20; 12 iterations (2 epochs of 6 steps), rate /10 at 6,9", text);
        foreach (var model in new[] { "plain20", "resnet20" })
        {
            var rows = File.ReadAllLines(Path.Combine(output, model, "epochs.csv")).Skip(1).ToList();
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.True(double.IsFinite(double.Parse(r.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))));
            Assert.Contains($"{model}: 2 epochs, 12 iterations", text);
        }
        var png = File.ReadAllBytes(Path.Combine(output, "degradation.png"));
        Assert.True(png.Length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    }

    [Fact]
    public void CurvesNamesAFolderThatIsNotARun()
    {
        using var folder = new TemporaryFolder();
        var (code, _, error) = SummaryCommandTests.Run("curves", folder.Path, "-o", folder.File("x.png"));
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains($"{folder.Path}: no metrics.jsonl", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
