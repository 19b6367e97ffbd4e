using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Tests.Data;
using ResNetSharp.Tests.Training;

namespace ResNetSharp.Tests.Cli;

public class BenchCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    [Fact]
    public void BenchReportsTheSettingsItMeasuredWith()
    {
        using var run = new TinyRun();
        var (code, output, error) = Run("bench", "--spec", run.ModelFile, "--mode", "train", "--batch-size", "4", "--input", "1x28x28",
            "--precision", "fp16", "--channels-last", "--steps", "2", "--warmup", "1", "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal("fp16", result.GetProperty("precision").GetString());
        Assert.True(result.GetProperty("channelsLast").GetBoolean());
        Assert.Equal("1x28x28", result.GetProperty("input").GetString());
        Assert.Equal(2, result.GetProperty("steps").GetInt32());
        Assert.True(result.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("deviceMemoryInUseBytes").ValueKind);
    }

    [Fact]
    public void DataModesMeasureDecodingPerWorkerAndAugmentationWithoutAModel()
    {
        using var folder = new TemporaryFolder();
        for (int i = 0; i < 5; i++)
            TestImages.Write(folder.File($"images/{i}.jpg"), 60 + i, 45, i, SkiaSharp.SKEncodedImageFormat.Jpeg);
        var (code, output, error) = Run("bench", "--mode", "decode", "--folder", folder.File("images"), "--batch-size", "4", "--steps", "2",
            "--warmup", "0", "--threads", "1", "--input", "3x24x24", "--json");
        Assert.True(code == 0, error);
        var decode = JsonDocument.Parse(output).RootElement;
        Assert.Equal(1, decode.GetProperty("threads").GetInt32());
        Assert.Contains("5 files", decode.GetProperty("notes").GetString());
        Assert.True(decode.GetProperty("imagesPerSecond").GetDouble() > 0);

        (code, output, error) = Run("bench", "--mode", "augment", "--batch-size", "8", "--input", "1x28x28", "--steps", "2", "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        Assert.Equal("augment", JsonDocument.Parse(output).RootElement.GetProperty("mode").GetString());

        (code, _, error) = Run("bench", "--mode", "decode");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("--folder", error);
    }

    [Fact]
    public void OptimizerModeTimesThePackedAndThePerParameterStep()
    {
        using var run = new TinyRun();
        var (code, output, error) = Run("bench", "--spec", run.ModelFile, "--mode", "optimizer", "--steps", "3", "--warmup", "1",
            "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal("optimizer", result.GetProperty("mode").GetString());
        Assert.Matches(@"^packed [0-9.]+ ms/step, per parameter [0-9.]+ ms/step \([0-9.]+x\)", result.GetProperty("notes").GetString());
    }
}
