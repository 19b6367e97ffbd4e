using System.Diagnostics;

namespace ResNetSharp.Tests;

/// <summary>Runs the reference scripts with Debian's python3-torchvision (torch 1.13, torchvision 0.14).</summary>
internal static class ReferencePython
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs Reference/<paramref name="script"/> and returns its standard output.</summary>
    public static string Run(string script, params string[] args)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", script);
        var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{script} failed ({process.ExitCode}); install the reference with tools/install-test-prerequisites.sh.\n{stderr.Result}");
        return stdout;
    }
}
