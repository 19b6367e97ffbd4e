using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Cli.Output;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

public class TrainEvalCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    [Fact]
    public void TrainThenEvalReportsTheSameAccuracyFromTheSavedWeights()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("cli");
        var (code, output, error) = Run("train", "--model", run.ModelFile, "--data-dir", run.DataDir, "--epochs", "2",
            "--batch-size", "16", "--lr", "0.05", "--device", "cpu", "-o", folder, "--quiet");
        Assert.True(code == 0, error);
        Assert.Contains("epoch 2/2", output);
        Assert.Contains("Training finished", output);

        var (evalCode, evalOutput, evalError) = Run("eval", "--model", run.ModelFile, "--weights", Path.Combine(folder, "last.safetensors"),
            "--data-dir", run.DataDir, "--device", "cpu", "--json");
        Assert.True(evalCode == 0, evalError);
        var result = JsonDocument.Parse(evalOutput).RootElement;
        Assert.Equal(32, result.GetProperty("samples").GetInt64());
        Assert.Equal(10, result.GetProperty("confusion").GetArrayLength());
        string lastEpoch = File.ReadAllLines(Path.Combine(folder, "epochs.csv"))[^1];
        double trainedTop1 = double.Parse(lastEpoch.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(trainedTop1, result.GetProperty("top1").GetDouble(), 6);

        var (lowCode, lowOutput, lowError) = Run("eval", "--model", run.ModelFile, "--weights", Path.Combine(folder, "last.safetensors"),
            "--data-dir", run.DataDir, "--device", "cpu", "--precision", "bf16", "--channels-last", "--json");
        Assert.True(lowCode == 0, lowError);
        var low = JsonDocument.Parse(lowOutput).RootElement;
        Assert.Equal(result.GetProperty("top1").GetDouble(), low.GetProperty("top1").GetDouble(), tolerance: 0.1);
        Assert.Equal(result.GetProperty("loss").GetDouble(), low.GetProperty("loss").GetDouble(), tolerance: 0.05);

        // The weights name their model: eval needs no --model, even once the spec file is gone; and the run
        // folder stands for its best.safetensors.
        File.Move(run.ModelFile, run.ModelFile + ".moved");
        var (namedCode, namedOutput, namedError) = Run("eval", "--weights", folder, "--data-dir", run.DataDir, "--device", "cpu", "--json");
        File.Move(run.ModelFile + ".moved", run.ModelFile);
        Assert.True(namedCode == 0, namedError);
        double bestTop1 = File.ReadAllLines(Path.Combine(folder, "epochs.csv")).Skip(1)
            .Max(line => double.Parse(line.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(bestTop1, JsonDocument.Parse(namedOutput).RootElement.GetProperty("top1").GetDouble(), 6);

        foreach (var (plot, width, height) in new[]
                 {
                     ("loss.png", CurvePlots.Width, CurvePlots.Height), ("accuracy.png", CurvePlots.Width, CurvePlots.Height),
                     ("lr.png", CurvePlots.Width, CurvePlots.Height), ("confusion.png", ConfusionPlot.Width, ConfusionPlot.Height),
                 })
        {
            var image = ResNetSharp.Imaging.ImageDecoder.Decode(Path.Combine(folder, plot));
            Assert.Equal((width, height), (image.Width, image.Height));
        }
        // The diagnostics' grad_norm.PART and dead_units.PART columns are not heads: no per-head plot, no head rows in the card.
        Assert.Contains("grad_norm.layer1", File.ReadLines(Path.Combine(folder, "epochs.csv")).First());
        Assert.Empty(Directory.GetFiles(folder, "head-*.png"));
        Assert.DoesNotContain("grad_norm", File.ReadAllText(Path.Combine(folder, "MODEL_CARD.md")));
    }

    [Theory]
    [InlineData("--batch-size", "-3", "batch-size")]
    [InlineData("--epochs", "0", "epochs")]
    [InlineData("--model", "resnet81", "did you mean")]
    [InlineData("--dataset", "fashion-mnst", "did you mean fashion-mnist")]
    [InlineData("--device", "tpu", "--device 'tpu'")]
    [InlineData("--lr", "abc", "abc")]
    [InlineData("--precision", "fp8", "--precision is 'fp8'; expected fp32, bf16 or fp16")]
    [InlineData("--ema", "1.5", "ema is 1.5")]
    [InlineData("--mixup", "-1", "mixup is -1")]
    public void BadTrainingArgumentsExitWithCodeTwoAndOneLine(string option, string value, string expected)
    {
        using var run = new TinyRun();
        string[] model = option == "--model" ? [] : ["--model", run.ModelFile];
        var (code, _, error) = Run(["train", .. model, "--data-dir", run.DataDir, "-o", run.RunFolder("bad"), option, value]);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void EvalWithWeightsOfAnotherShapeNamesTheFileAndTheMismatch()
    {
        using var run = new TinyRun();
        using var folder = new TemporaryFolder();
        string weights = folder.File("other.safetensors");
        using (var other = ResNetSharp.Models.ModelCatalog.Create("resnet18_cifar"))
            ResNetSharp.Interop.SafetensorsFile.Save(weights, ResNetSharp.Models.StateDictOrder.Entries(other));
        var (code, _, error) = Run("eval", "--model", run.ModelFile, "--weights", weights, "--data-dir", run.DataDir, "--device", "cpu");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(weights, error);
        Assert.Contains("shape mismatches", error);
    }
}

public class TrainingConfigCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    [Fact]
    public void AConfigOfNullAndANegativeTestLimitAreClearErrors()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("null.json"), "null");
        var (code, _, error) = Run("train", "--config", folder.File("null.json"), "-o", folder.File("run"));
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("null.json: a training config is a JSON object; got null", error);

        File.WriteAllText(folder.File("null-section.json"), """{"run": null}""");
        var (sectionCode, _, sectionError) = Run("train", "--config", folder.File("null-section.json"), "-o", folder.File("run"));
        Assert.Equal(CliApp.UsageError, sectionCode);
        Assert.Contains("run", sectionError);
        Assert.Contains("an object (or leave it out for the defaults)", sectionError);
        Assert.Single(sectionError.Trim().Split('\n'));

        var (evalCode, _, evalError) = Run("eval", "--weights", folder.File("missing.safetensors"), "--test-limit", "-1");
        Assert.Equal(CliApp.UsageError, evalCode);
        Assert.Contains("--test-limit must be 0 or more", evalError);

        var (padCode, _, padError) = Run("train", "--crop-padding", "2000000000", "-o", folder.File("run2"));
        Assert.Equal(CliApp.UsageError, padCode);
        Assert.Contains("--crop-padding is 2000000000; expected 0 to 256", padError);
    }

    [Fact]
    public void ABooleanSetInAConfigFileCanBeTurnedOffAndOldFlatFilesStillRead()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("flat.json"), """{"epochs": 3, "learningRate": 0.02, "channelsLast": true, "schedule": "cosine", "targetTop1": 0.9}""");
        var options = new ResNetSharp.Cli.Options.TrainingOptions(new TrainingConfig());
        var command = new System.CommandLine.Command("train");
        options.AddTo(command);
        var config = options.Resolve(command.Parse(["--config", folder.File("flat.json"), "--no-channels-last", "--no-flip"]));
        Assert.Equal(3, config.Schedule.Epochs);
        Assert.Equal(ScheduleKind.Cosine, config.Schedule.Kind);
        Assert.Equal(0.02, config.Optimization.LearningRate);
        Assert.False(config.Precision.ChannelsLast);
        Assert.False(config.Augmentation.HorizontalFlip);
        Assert.Equal(new MetricTarget(null, "top1", 0.9), config.Run.Target);
        var round = TrainingConfig.FromJson(config.ToJson(), "round trip");
        Assert.Empty(round.Differences(config));
    }
}
