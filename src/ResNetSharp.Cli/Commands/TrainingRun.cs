using System.CommandLine;
using System.Runtime.InteropServices;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Data.Download;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>Runs a training configuration from the command line: data download, signals, summary.</summary>
public static class TrainingRun
{
    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (after saving).</summary>
    public const int Interrupted = 130;

    /// <summary>Trains <paramref name="settings"/> (already checked), prints the summary; returns the exit code.</summary>
    public static int Execute(ParseResult parsed, TrainingOptions options, TrainingConfig settings, TextWriter output)
    {
        string? dataDir = parsed.GetValue(options.DataDir);
        if (parsed.GetValue(options.Download) && settings.Data.Manifest is null && !Directory.Exists(settings.Data.Dataset))
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            new DatasetDownloader(http, output).Ensure(settings.Data.Dataset, dataDir);
        }
        string folder = parsed.GetValue(options.Output) ?? Path.Combine("runs", $"{Path.GetFileNameWithoutExtension(settings.Model)}-{DataName(settings.Data)}");
        var device = DeviceSelection.Parse(parsed.GetValue(options.Device)!);

        bool quiet = parsed.GetValue(options.Quiet);
        var console = Consoles.For(output);
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var curves = new TrainingCurves(folder);
        try
        {
            TrainingOutcome Train(TrainingObserver observer) =>
                new Trainer(settings, folder, device, dataDir, new ObserverList(observer, curves))
                    .Run(parsed.GetValue(options.Resume), parsed.GetValue(options.Force), stop.Token);
            var outcome = !quiet && console.Profile.Capabilities.Interactive
                ? LiveTrainingProgress.Run(console, Train)
                : Train(new ConsoleTrainingObserver(output, quiet));
            curves.Flush();
            if (curves.Failure is { } failure)
                output.WriteLine($"warning: {failure}");
            TrainingSummary.Write(output, settings, folder, outcome);
            return outcome.Completed ? 0 : Interrupted;
        }
        catch (ConfigException e)
        {
            throw options.Explain(e, parsed);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static string DataName(DataConfig data) => data.Manifest is { } manifest
        ? Path.GetFileNameWithoutExtension(manifest)
        : Path.GetFileName(Path.TrimEndingDirectorySeparator(data.Dataset));
}
