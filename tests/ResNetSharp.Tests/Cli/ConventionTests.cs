using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using ResNetSharp.Cli;
using ResNetSharp.Cli.Commands;
using ResNetSharp.Cli.Options;
using ResNetSharp.Common;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Tests.Data;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

/// <summary>What every command shares: lowercase values, one style of defaults, one-line errors with suggestions, usage on a bare command.</summary>
public partial class ConventionTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    /// <summary>Every command and subcommand, with its path (e.g. "weights pull").</summary>
    private static IEnumerable<string[]> CommandPaths()
    {
        var root = CliApp.CreateRoot(TextWriter.Null);
        var pending = new Stack<(Command Command, string[] Path)>(root.Subcommands.Select(c => (c, new[] { c.Name })));
        while (pending.Count > 0)
        {
            var (command, path) = pending.Pop();
            yield return path;
            foreach (var sub in command.Subcommands)
                pending.Push((sub, [.. path, sub.Name]));
        }
    }

    [GeneratedRegex(@"<[^>]*\|[^>]*>")]
    private static partial Regex ChoiceLabel();

    [Fact]
    public void EveryHelpShowsLowercaseChoicesAndDefaultsInOneStyle()
    {
        var paths = CommandPaths().ToList();
        Assert.True(paths.Count >= 16, $"{paths.Count} commands");
        foreach (var path in paths)
        {
            var (code, help, error) = Run([.. path, "--help"]);
            string name = string.Join(" ", path);
            Assert.True(code == 0, $"{name}: {error}");
            foreach (Match label in ChoiceLabel().Matches(help))
                Assert.True(label.Value == label.Value.ToLowerInvariant(), $"{name}: {label.Value}");
            foreach (string line in help.Split('\n'))
            {
                Assert.DoesNotContain("(default", line);
                Assert.DoesNotContain("; default", line);
                Assert.True(Regex.Matches(line, @"\[default: ").Count <= 1, $"{name}: a default said twice: {line}");
            }
        }
        Assert.Contains("--format <onnx|safetensors|pth>", Run("export", "--help").Output);
        Assert.Contains("--schedule <one-cycle|cosine|multi-step|constant|step|plateau>", Run("train", "--help").Output);
        Assert.Contains("[default: one-cycle]", Run("train", "--help").Output);
        Assert.Contains("--grayscale <one-channel-model|repeat-channels>", Run("eval", "--help").Output);
    }

    [Theory]
    [InlineData(ScheduleKind.OneCycle, "one-cycle")]
    [InlineData(ScheduleKind.MultiStep, "multi-step")]
    [InlineData(OptimizerKind.AdamW, "adamw")]
    [InlineData(Precision.Bf16, "bf16")]
    [InlineData(GrayscaleMode.RepeatChannels, "repeat-channels")]
    [InlineData(ExportCommand.Format.Safetensors, "safetensors")]
    public void EnumValuesHaveLowercaseNames(Enum value, string name) => Assert.Equal(name, ChoiceOption.NameOf(value));

    [Theory]
    [InlineData("onnx", ExportCommand.Format.Onnx)]
    [InlineData("ONNX", ExportCommand.Format.Onnx)]
    [InlineData("Pth", ExportCommand.Format.Pth)]
    [InlineData("safe_tensors", ExportCommand.Format.Safetensors)]
    public void EnumOptionsReadAnyCase(string given, ExportCommand.Format expected)
    {
        var option = new EnumOption<ExportCommand.Format>("--format", "File format", ExportCommand.Format.Onnx);
        var root = new RootCommand { option };
        var parsed = root.Parse(["--format", given]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(expected, option.Value(parsed));
        Assert.Equal(ExportCommand.Format.Onnx, option.Value(root.Parse([])));
    }

    [Theory]
    [InlineData(new[] { "train", "--epoch", "1" }, "resnet: Unrecognized option '--epoch'. Did you mean '--epochs'? (see 'resnet train --help')")]
    [InlineData(new[] { "bench", "--batch", "8" }, "resnet: Unrecognized option '--batch'. Did you mean '--batch-size'? (see 'resnet bench --help')")]
    [InlineData(new[] { "trian" }, "resnet: Unknown command 'trian'. Did you mean 'train'? (see 'resnet --help')")]
    [InlineData(new[] { "weights", "pul", "x" }, "resnet: Unknown command 'pul'. Did you mean 'pull'? (see 'resnet weights --help')")]
    [InlineData(new[] { "export", "--format", "zip", "-o", "m.zip" }, "resnet: --format is 'zip'; expected onnx, safetensors or pth. (see 'resnet export --help')")]
    [InlineData(new[] { "export", "--format", "onx", "-o", "m.onnx" }, "resnet: --format is 'onx'; expected onnx, safetensors or pth. Did you mean 'onnx'? (see 'resnet export --help')")]
    [InlineData(new[] { "train", "--schedule", "one-cylce" }, "Did you mean 'one-cycle'?")]
    [InlineData(new[] { "train", "--optimizer", "sdg" }, "Did you mean 'sgd'?")]
    [InlineData(new[] { "eval", "-w", "x", "--precision", "fp8" }, "resnet: --precision is 'fp8'; expected fp32, bf16 or fp16.")]
    [InlineData(new[] { "bench", "--mode", "inferr" }, "Did you mean 'infer'?")]
    [InlineData(new[] { "serve", "--engine", "onnx" }, "Did you mean 'onnxruntime'?")]
    [InlineData(new[] { "train", "--epochs", "x" }, "resnet: --epochs is 'x'; expected a whole number. (see 'resnet train --help')")]
    [InlineData(new[] { "train", "--lr", "fast" }, "resnet: --lr is 'fast'; expected a number.")]
    [InlineData(new[] { "serve", "--port", "http" }, "resnet: --port is 'http'; expected a whole number.")]
    [InlineData(new[] { "summary", "--model", "resnet81" }, "resnet: Unknown model 'resnet81'; did you mean resnet18?")]
    public void MistakesAreOneLineWithTheClosestNameAndExitTwo(string[] args, string expected)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(expected, error);
        Assert.DoesNotMatch(@"System\.|ResNetSharp\.|Nullable|Int32|Exception", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("weights")]
    [InlineData("index")]
    public void ABareCommandGroupPrintsItsUsageAndExitsZero(string command)
    {
        var (code, output, error) = Run(command.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("Usage:", output);
        Assert.Contains("Commands:", output);
    }

    [Fact]
    public void ModelNameSuggestionsKeepOnlyTheClosest()
    {
        Assert.Equal(["resnet18"], CloseMatches.Find("resnet81", ModelCatalog.Names));
        Assert.Equal(["resnet50"], CloseMatches.Find("resnet_50", ModelCatalog.Names));
        Assert.Equal(1, CloseMatches.EditDistance("resnet81", "resnet18"));
        Assert.Empty(CloseMatches.Find(new string('x', 100_000), ModelCatalog.Names));
    }

    [Fact]
    public void PredictTakesAFolderAsItsImagesInOrder()
    {
        using var folder = new TemporaryFolder();
        string spec = folder.File("tiny.json"), weights = folder.File("tiny.pth");
        File.WriteAllText(spec, """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3}""");
        using (var model = new ResNet(ResNetSpecJson.Load(spec)))
            PthWriter.Save(weights, StateDictOrder.Entries(model));
        string images = folder.File("images");
        Directory.CreateDirectory(Path.Combine(images, "b"));
        Directory.CreateDirectory(Path.Combine(images, "a"));
        TestImages.Write(Path.Combine(images, "b", "1.png"), 30, 20, seed: 1);
        TestImages.Write(Path.Combine(images, "a", "2.png"), 25, 33, seed: 2);
        TestImages.Write(Path.Combine(images, "0.png"), 40, 40, seed: 3);
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        string[] modelOptions = ["--model", spec, "--weights", weights, "--image-size", "24", "--device", "cpu", "--json"];

        var (code, output, error) = Run(["predict", .. modelOptions, images]);
        Assert.True(code == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        string[] expected = [Path.Combine(images, "0.png"), Path.Combine(images, "a", "2.png"), Path.Combine(images, "b", "1.png")];
        Assert.Equal(expected, report.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()));

        var (fileCode, fileOutput, fileError) = Run(["predict", .. modelOptions, .. expected]);
        Assert.True(fileCode == 0, fileError);
        Assert.Equal(JsonDocument.Parse(fileOutput).RootElement.GetProperty("logits").ToString(), report.GetProperty("logits").ToString());

        var (missingCode, _, missingError) = Run(["predict", .. modelOptions, folder.File("nowhere")]);
        Assert.Equal(CliApp.UsageError, missingCode);
        Assert.Contains("image or folder not found", missingError);
    }
}
