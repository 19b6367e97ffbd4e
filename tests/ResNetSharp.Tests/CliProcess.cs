using System.Diagnostics;

namespace ResNetSharp.Tests;

/// <summary>
/// Runs the built resnet CLI (resnet.dll beside the tests) in a process of its own, for what an
/// in-process run cannot show: which native libraries load, and surviving SIGKILL.
/// </summary>
internal static class CliProcess
{
    /// <summary>
    /// Runs resnet with <paramref name="args"/>; kills it (SIGKILL on Unix) once <paramref name="killAfter"/>
    /// has passed, or once the task <paramref name="killWhen"/> starts completes, if the process is still running.
    /// </summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? killAfter = null, Func<Task>? killWhen = null)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "resnet.dll");
        var start = new ProcessStartInfo(DotnetHost(), [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var trigger = killWhen?.Invoke() ?? (killAfter is { } delay ? Task.Delay(delay) : null);
        if (trigger is not null)
        {
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(exited, trigger) != exited)
                process.Kill();
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
