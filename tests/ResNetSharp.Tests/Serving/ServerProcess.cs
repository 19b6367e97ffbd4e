using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// <c>resnet serve ... --port 0</c> in a process of its own (the built resnet.dll beside the tests), on a
/// free loopback port that the server picks and prints. Killed on dispose if still running.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _error;
    private readonly List<string> _output = [];
    private Task? _reading;

    private ServerProcess(Process process, Uri url)
    {
        _process = process;
        _error = process.StandardError.ReadToEndAsync();
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Starts the server and waits (up to two minutes) for the line that names its address.</summary>
    public static ServerProcess Start(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "resnet.dll");
        var start = new ProcessStartInfo(DotnetHost(), [cli, "serve", .. args, "--port", "0"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromMinutes(2)) || line.Result is null || ListeningLine().Match(line.Result) is not { Success: true } match)
        {
            if (!process.HasExited)
                process.Kill();
            process.WaitForExit();
            throw new InvalidOperationException($"resnet serve did not start: {line.Result} {process.StandardError.ReadToEnd()}");
        }
        var server = new ServerProcess(process, new Uri(match.Groups[1].Value));
        server._reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } more)
                lock (server._output)
                    server._output.Add(more);
        });
        return server;
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; returns its exit code, standard output after the first line, and standard error.</summary>
    public (int Code, string Output, string Error) Terminate()
    {
        Assert.Equal(0, kill(_process.Id, Sigterm));
        Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(1)), "resnet serve did not exit within a minute of SIGTERM");
        _process.WaitForExit();
        _reading?.Wait();
        lock (_output)
            return (_process.ExitCode, string.Join('\n', _output), _error.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }

    private const int Sigterm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
