using System.Text.Json;
using ResNetSharp.Cli;

namespace ResNetSharp.Tests.Cli;

public class SummaryCommandTests
{
    internal static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void JsonSummaryHasTotalsAndStageRows()
    {
        var (code, output, _) = Run("summary", "--model", "resnet50", "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("resnet50", root.GetProperty("model").GetString());
        Assert.Equal(25_557_032, root.GetProperty("parameters").GetInt64());
        Assert.Equal(25_557_032, root.GetProperty("trainableParameters").GetInt64());
        Assert.Equal(4.09, root.GetProperty("macs").GetInt64() / 1e9, 2);
        var stages = root.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "layer4", "fc"], stages.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal([2048, 7, 7], stages[4].GetProperty("outputShape").EnumerateArray().Select(d => d.GetInt32()));
    }

    [Fact]
    public void TableSummaryShowsBlocksAndTotals()
    {
        var (code, output, _) = Run("summary", "--model", "resnet18_cifar", "--input", "1x28x28", "--num-classes", "10");
        Assert.Equal(0, code);
        Assert.Contains("layer4.1", output);
        Assert.Contains("512x4x4", output);
        // The 3-channel count 11,173,962 less 2 x 64 x 3 x 3 stem weights.
        Assert.Contains("Parameters: 11,172,810", output);
    }

    [Theory]
    [InlineData("resnet5O", "did you mean")]
    [InlineData("resnet18", "--input")]
    public void BadArgumentsExitWithCodeTwoAndOneLine(string model, string expected)
    {
        var (code, output, error) = Run("summary", "--model", model, "--input", model == "resnet18" ? "3x224" : "3x224x224");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Empty(output);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void UnknownOptionsAndMissingModelAreUsageErrors()
    {
        Assert.Equal(CliApp.UsageError, Run("summary", "--modle", "resnet18").Code);
        var (code, _, error) = Run("summary");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("--model", error);
    }

    [Fact]
    public void SpecFilesWork()
    {
        string path = Path.Combine(Path.GetTempPath(), $"spec-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"base": "resnet18", "numClasses": 0}""");
        try
        {
            var (code, output, _) = Run("summary", "--spec", path, "--json");
            Assert.Equal(0, code);
            Assert.Equal(11_176_512, JsonDocument.Parse(output).RootElement.GetProperty("parameters").GetInt64());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
