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

    /// <summary>
    /// Trains <paramref name="settings"/> (already checked), prints <paramref name="firstLine"/> (when given), the progress and
    /// the summary, and keeps MODEL_CARD.md in the run folder (naming <paramref name="recipe"/>); returns the exit code.
    /// </summary>
    public static int Execute(ParseResult parsed, TrainingOptions options, TrainingConfig settings, TextWriter output, string? firstLine = null,
        string? recipe = null)
    {
        if (firstLine is not null)
            output.WriteLine(firstLine);
        string? dataDir = parsed.GetValue(options.DataDir);
        if (parsed.GetValue(options.Download) && settings.Data.Manifest is null && !Directory.Exists(settings.Data.Dataset))
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            new DatasetDownloader(http, output).Ensure(settings.Data.Dataset, dataDir);
        }
        string folder = Folder(parsed, options, settings, output);
        var device = DeviceSelection.Parse(parsed.GetValue(options.Device)!);

        bool quiet = parsed.GetValue(options.Quiet);
        var console = Consoles.For(output);
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        var curves = new TrainingCurves(folder);
        var card = new ModelCard(folder, settings, recipe);
        try
        {
            TrainingOutcome Train(TrainingObserver observer) =>
                new Trainer(settings, folder, device, dataDir, new ObserverList(observer, curves, card))
                    .Run(parsed.GetValue(options.Resume), parsed.GetValue(options.Force), stop.Token);
            var outcome = !quiet && console.Profile.Capabilities.Interactive
                ? LiveTrainingProgress.Run(console, Train)
                : Train(new ConsoleTrainingObserver(output, quiet));
            card.Finish(outcome);
            foreach (string? failure in new[] { curves.Failure, card.Failure })
                if (failure is not null)
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

    /// <summary>
    /// The run folder: -o as given, unless it holds a run and this is no resume (a usage error naming --resume); without -o,
    /// runs/MODEL-DATA, or its next free version (-2, -3, …) when an earlier run is there, or with --resume its newest version.
    /// </summary>
    private static string Folder(ParseResult parsed, TrainingOptions options, TrainingConfig settings, TextWriter output)
    {
        bool resume = parsed.GetValue(options.Resume);
        if (parsed.GetValue(options.Output) is { } given)
        {
            if (!resume)
            {
                switch (RunFolder.Inspect(given))
                {
                    case RunFolderState.HoldsRun:
                        throw new UsageException($"{given} already holds a run; pass --resume to continue it, or choose another --output (without one, train makes a new versioned folder).");
                    case RunFolderState.Running:
                        throw new UsageException($"{given} holds a run that is training now; choose another --output (--resume continues a run once it has stopped).");
                }
            }
            return given;
        }
        string named = DefaultFolder(settings);
        string folder = resume ? RunFolder.LatestVersion(named) : RunFolder.NextVersion(named);
        if (folder != named)
            output.WriteLine(resume ? $"run folder: {folder} (the newest version of {named})" : $"run folder: {folder} ({named} holds an earlier run)");
        return folder;
    }

    /// <summary>The folder a --resume continues: -o as given, else the newest version of the default folder of <paramref name="settings"/>.</summary>
    public static string ResumedFolder(ParseResult parsed, TrainingOptions options, TrainingConfig settings) =>
        parsed.GetValue(options.Output) ?? RunFolder.LatestVersion(DefaultFolder(settings));

    private static string DefaultFolder(TrainingConfig settings) =>
        Path.Combine("runs", $"{Path.GetFileNameWithoutExtension(settings.Model)}-{DataName(settings.Data)}");

    private static string DataName(DataConfig data) => data.Manifest is { } manifest
        ? Path.GetFileNameWithoutExtension(manifest)
        : Path.GetFileName(Path.TrimEndingDirectorySeparator(data.Dataset));
}
