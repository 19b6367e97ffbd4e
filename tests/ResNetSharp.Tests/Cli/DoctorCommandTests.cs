using System.Text.Json;
using ResNetSharp.Diagnostics;

namespace ResNetSharp.Tests.Cli;

public class DoctorCommandTests
{
    [Fact]
    public void JsonReportSaysTrainingRunsAndWhereLibTorchCameFrom()
    {
        var (code, output, error) = SummaryCommandTests.Run("doctor", "--json");

        Assert.True(code == 0, error + output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("canTrain").GetBoolean());
        Assert.StartsWith("ready: training runs on cpu", root.GetProperty("verdict").GetString());
        var libTorch = root.GetProperty("libTorch");
        Assert.True(libTorch.GetProperty("loaded").GetBoolean());
        Assert.StartsWith(libTorch.GetProperty("version").GetString()!, TorchSharp.torch.__version__); // TORCH_VERSION 2.10.0, package 2.10.0.0
        Assert.True(File.Exists(libTorch.GetProperty("path").GetString()), "the mapped libtorch_cpu file exists");
        Assert.True(root.GetProperty("glibcxx").GetProperty("hasRequired").GetBoolean()); // libtorch loaded, so it must be there
        Assert.True(root.GetProperty("trainingStep").GetProperty("passed").GetBoolean());
        Assert.Equal(["fashion-mnist", "mnist", "cifar-10", "cifar-100"],
            root.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        foreach (var problem in root.GetProperty("problems").EnumerateArray())
        {
            Assert.Equal("warning", problem.GetProperty("severity").GetString()); // it can train, so nothing is an error
            Assert.NotEmpty(problem.GetProperty("fix").GetString()!);
        }
    }

    [Fact]
    public void ProbeFindsADatasetInTheGivenFolderAndTextEndsWithTheVerdict()
    {
        using var folder = new TemporaryFolder();
        string fashion = Directory.CreateDirectory(Path.Combine(folder.Path, "fashion-mnist")).FullName;
        foreach (string stem in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(fashion, stem + ".gz"), []);

        var report = EnvironmentProbe.Inspect(folder.Path);

        Assert.Equal(fashion, report.Datasets.Single(d => d.Name == "fashion-mnist").Folder);
        Assert.Equal(Path.Combine(folder.Path, "mnist"), report.Datasets.Single(d => d.Name == "mnist").Searched[0]);
        Assert.DoesNotContain(report.Problems, p => p.What.Contains("fashion-mnist"));
        var text = new StringWriter();
        ResNetSharp.Cli.Output.DoctorText.Write(report, text);
        string[] lines = text.ToString().TrimEnd().Split('\n');
        Assert.Equal(report.Verdict, lines[^1].TrimEnd());
        Assert.Contains(lines, l => l.StartsWith("data fashion-mnist") && l.TrimEnd().EndsWith(fashion));
    }

    [Fact]
    public void BuildSettingsAreReadFromLibTorchsConfigText()
    {
        const string config = "PyTorch built with:\n  - GCC 11.2\n  - CPU capability usage: AVX2\n" +
            "  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, TORCH_VERSION=2.10.0, USE_CUDA=0, USE_CUDNN=OFF, \n";

        Assert.Equal("2.10.0", LibTorchBuild.Setting(config, "TORCH_VERSION"));
        Assert.Equal("mkl", LibTorchBuild.Setting(config, "BLAS_INFO"));
        Assert.Equal("0", LibTorchBuild.Setting(config, "USE_CUDA"));
        Assert.Null(LibTorchBuild.Setting(config, "USE_ROCM"));
        Assert.Equal("AVX2", LibTorchBuild.Line(config, "CPU capability usage"));
        Assert.Null(LibTorchBuild.Line(null, "CPU capability usage"));
    }
}
