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
        var root = CreateRoot(output);
        if (Environment.GetEnvironmentVariable(DebugVariable.FormerName) is not null && Environment.GetEnvironmentVariable(DebugVariable.Name) is null)
            error.WriteLine($"resnet: {DebugVariable.FormerName} is deprecated; set {DebugVariable.Name} instead");
        var parsed = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (ParseErrorMessage.AsksForUsage(parsed))
            return root.Parse([.. args, "--help"]).Invoke(invocation);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"resnet: {ParseErrorMessage.Describe(parsed)}");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(invocation);
        }
        catch (Exception e) when (IsUsageError(e))
        {
            error.WriteLine($"resnet: {UserMessage(e).ReplaceLineEndings(" ")}");
            if (DebugVariable.IsSet)
                error.WriteLine(e);
            return UsageError;
        }
        catch (Exception e)
        {
            string message = WithoutNativeTrace(e.Message).ReplaceLineEndings(" ");
            // A bug's message means little without its type; every other failure's message says what went wrong.
            error.WriteLine(IsBug(e) ? $"resnet: internal error ({e.GetType().Name}): {message}" : $"resnet: {message}");
            if (DebugVariable.IsSet)
                error.WriteLine(e);
            else if (IsBug(e) || message.Length < e.Message.Length)
                error.WriteLine($"resnet: set {DebugVariable.Name}=1 for the stack trace");
            return RuntimeError;
        }
    }

    /// <summary>Every command of resnet, writing to <paramref name="output"/>.</summary>
    public static RootCommand CreateRoot(TextWriter output) =>
        new RootCommand("ResNetSharp: the ResNet family for .NET — build, train, evaluate, export, serve.")
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
            CurvesCommand.Create(output),
            ManifestCommand.Create(output),
            DoctorCommand.Create(output),
        };

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

    private static bool IsBug(Exception e) =>
        e is NullReferenceException or IndexOutOfRangeException or InvalidCastException or NotImplementedException or ArithmeticException;

    private static bool IsUsageError(Exception e) =>
        e is UsageException or ArgumentException or FormatException or FileNotFoundException
            or DirectoryNotFoundException or KeyNotFoundException or InvalidDataException or IO.NotARegularFileException;
}
