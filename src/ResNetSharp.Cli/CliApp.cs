using System.CommandLine;
using ResNetSharp.Cli.Commands;

namespace ResNetSharp.Cli;

/// <summary>The resnet command line, runnable in-process (tests call <see cref="Run"/> directly).</summary>
public static class CliApp
{
    /// <summary>Exit code for a bad command line or bad input file.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure that is not the user's input.</summary>
    public const int RuntimeError = 1;

    /// <summary>Parses and runs one command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("ResNetSharp: the ResNet family for .NET — build, train, evaluate, export, serve.")
        {
            SummaryCommand.Create(output),
            TrainCommand.Create(output),
            FinetuneCommand.Create(output),
            EvalCommand.Create(output),
            PredictCommand.Create(output),
            EmbedCommand.Create(output),
            ExplainCommand.Create(output),
            WeightsCommand.Create(output),
            IndexCommand.Create(output),
            SearchCommand.Create(output),
            ExportCommand.Create(output),
            ServeCommand.Create(output),
            BenchCommand.Create(output),
            ManifestCommand.Create(output),
            DoctorCommand.Create(output),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string problems = string.Join("; ", parsed.Errors.Select(e => e.Message.ReplaceLineEndings(" ").Trim()));
            error.WriteLine($"resnet: {problems} (see 'resnet --help')");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUsageError(e))
        {
            error.WriteLine($"resnet: {UserMessage(e).ReplaceLineEndings(" ")}");
            if (Environment.GetEnvironmentVariable("RESNET_DEBUG") == "1")
                error.WriteLine(e);
            return UsageError;
        }
        catch (Exception e)
        {
            bool debug = Environment.GetEnvironmentVariable("RESNET_DEBUG") == "1";
            string message = WithoutNativeTrace(e.Message);
            error.WriteLine($"resnet: {e.GetType().Name}: {message}");
            if (debug)
                error.WriteLine(e);
            else if (message.Length < e.Message.Length)
                error.WriteLine("resnet: set RESNET_DEBUG=1 for libtorch's stack trace");
            return RuntimeError;
        }
    }

    /// <summary>The message without .NET's " (Parameter 'name')" suffix: our messages already name the option.</summary>
    private static string UserMessage(Exception e) =>
        e is ArgumentException { ParamName: { } name } && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{name}')".Length]
            : e.Message;

    /// <summary>
    /// A libtorch error's message without the C++ stack trace libtorch appends to it: an "Exception raised
    /// from" line and the "frame #N" lines (allocation failures have only the latter).
    /// </summary>
    internal static string WithoutNativeTrace(string message)
    {
        int trace = new[] { "\nException raised from ", "\nframe #" }
            .Select(marker => message.IndexOf(marker, StringComparison.Ordinal)).Where(at => at >= 0).DefaultIfEmpty(-1).Min();
        return trace < 0 ? message : message[..trace].TrimEnd();
    }

    private static bool IsUsageError(Exception e) =>
        e is UsageException or ArgumentException or FormatException or FileNotFoundException
            or DirectoryNotFoundException or KeyNotFoundException or InvalidDataException or IO.NotARegularFileException;
}
