using System.Diagnostics;
using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>How a run ended.</summary>
/// <param name="Completed">All epochs done or the target reached (false: stopped on request, after saving).</param>
/// <param name="Progress">Where the run is.</param>
/// <param name="LastEvaluation">The last evaluation, if any.</param>
/// <param name="Elapsed">Wall time of this invocation.</param>
public sealed record TrainingOutcome(bool Completed, TrainingProgress Progress, NetworkEvaluation? LastEvaluation, TimeSpan Elapsed);

/// <summary>
/// Runs any <see cref="TrainingSetup"/>: seeds, steps (precision, loss scaling, mixing, clipping), the
/// weight average, checkpoints, exact resume, evaluation after each epoch, observers and stop signals.
/// Every random choice is a function of (seed, epoch) or (seed, step), so a run stopped at any point and
/// resumed from its checkpoint ends with the same weights as an uninterrupted run on the CPU.
/// </summary>
/// <remarks>
/// The resolved config goes to config.json in the run folder once the run has started (<see cref="RunFolder.WriteConfig"/>),
/// and metrics always go to metrics.jsonl, epochs.csv and tensorboard/ there, written before the observer hears of them.
/// </remarks>
public sealed class Trainer
{
    private readonly TrainingConfig _config;
    private readonly string _runFolder;
    private readonly Device _device;
    private readonly TrainingObserver _observer;
    private readonly Func<TrainingObserver, TrainingSetup> _setup;
    private readonly bool _ownsSetup;

    /// <summary>Trains <paramref name="setup"/> (which the caller keeps and disposes) as <paramref name="config"/>'s how-sections say.</summary>
    public Trainer(TrainingSetup setup, TrainingConfig config, string runFolder, Device device, TrainingObserver observer)
        : this(config, runFolder, device, observer, _ => setup, ownsSetup: false)
    {
    }

    /// <summary>Trains the catalog setup <paramref name="config"/> describes (<see cref="TrainingSetup.FromConfig"/>), loaded once the run folder is locked.</summary>
    public Trainer(TrainingConfig config, string runFolder, Device device, string? dataDir, TrainingObserver observer)
        : this(config, runFolder, device, observer, o => TrainingSetup.FromConfig(config, device, dataDir, o), ownsSetup: true)
    {
    }

    private Trainer(TrainingConfig config, string runFolder, Device device, TrainingObserver observer, Func<TrainingObserver, TrainingSetup> setup, bool ownsSetup)
    {
        _config = config;
        _runFolder = runFolder;
        _device = device;
        _observer = new ObserverList(new MetricsLog(runFolder), new TensorBoardLog(runFolder), observer);
        _setup = setup;
        _ownsSetup = ownsSetup;
    }

    /// <summary>
    /// Runs (or resumes) training until all epochs are done or <paramref name="stop"/> is signalled; a stop
    /// takes effect after the current step or evaluation batch, and the run saves a checkpoint before returning.
    /// </summary>
    /// <param name="resume">Continue from the run folder's checkpoint; without it an existing checkpoint is refused.</param>
    /// <param name="force">Resume even if the checkpoint's config differs.</param>
    /// <param name="stop">Stops the run cleanly.</param>
    public TrainingOutcome Run(bool resume, bool force, CancellationToken stop)
    {
        _config.Validate();
        var clock = Stopwatch.StartNew();
        using var folderLock = RunFolderLock.Acquire(_runFolder);
        int cleaned = AtomicFile.CleanLeftovers(_runFolder);
        if (cleaned > 0)
            _observer.Message($"removed {cleaned} unfinished temporary file(s) from an earlier run");
        using var store = new CheckpointStore(_runFolder);
        var setup = _setup(_observer);
        try
        {
            using var session = RunSession.Start(setup, _config, _device, store, _observer, resume, force);
            RunFolder.WriteConfig(_runFolder, _config); // after the checks that refuse an earlier run's folder
            return new EpochLoop(session, _config, store, _observer, new TrainingFailures(_config, _device, store)).Run(stop, clock);
        }
        finally
        {
            if (_ownsSetup)
                setup.Dispose();
        }
    }
}
