using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Analysis;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Models;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet summary: stages and blocks with output shapes, parameters and multiply-accumulates.</summary>
public static class SummaryCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new ModelSelection();
        var input = new Option<string?>("--input")
        {
            Description = "Sample shape CxHxW [default: 3x224x224, or 3x32x32 for CIFAR-stem models]",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var command = new Command("summary", "Show a model's stages, shapes, parameters and MACs");
        model.AddTo(command);
        command.Add(input);
        command.Add(json);
        command.SetAction(parsed =>
        {
            var shape = parsed.GetValue(input) is { } text ? InputShape.Parse(text, "--input") : (InputShape?)null;
            var (name, spec) = model.Resolve(parsed, shape?.Channels);
            int size = spec.Stem == StemKind.Cifar ? 32 : 224;
            var (height, width) = shape is { } s ? (s.Height, s.Width) : (size, size);
            using var network = new ResNet(spec);
            var summary = ModelSummary.Create(name, network, height, width);
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(summary, JsonOutput.Options));
            else
                SummaryTable.Write(summary, output);
            return 0;
        });
        return command;
    }
}
