using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetSharp.Cli.Output;
using ResNetSharp.Diagnostics;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet doctor: what this machine can do for ResNetSharp, each problem with its fix; exit 0 when training can run.</summary>
public static class DoctorCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonOutput.Options)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Also look for datasets here (as train's --data-dir)" };
        var command = new Command("doctor",
            "Check .NET, libtorch, CPU and GPU, oneDNN, the C++ runtime, datasets and caches; exit 0 when training can run");
        command.Add(json);
        command.Add(dataDir);
        command.SetAction(parsed =>
        {
            var report = EnvironmentProbe.Inspect(parsed.GetValue(dataDir));
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(report, Json));
            else
                DoctorText.Write(report, output);
            return report.CanTrain ? 0 : CliApp.RuntimeError;
        });
        return command;
    }
}
