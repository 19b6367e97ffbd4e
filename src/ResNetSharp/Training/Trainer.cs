using System.Diagnostics;
using System.Runtime.InteropServices;
using ResNetSharp.Common;
using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>How a run ended.</summary>
/// <param name="Completed">All epochs done or the target accuracy reached (false: stopped on request, after saving).</param>
/// <param name="Progress">Where the run is.</param>
/// <param name="LastEvaluation">The last test evaluation, if any.</param>
/// <param name="Elapsed">Wall time of this invocation.</param>
public sealed record TrainingOutcome(bool Completed, TrainingProgress Progress, EvaluationResult? LastEvaluation, TimeSpan Elapsed);

/// <summary>
/// Trains a catalog model on an in-memory dataset. Every random choice is a function of (seed, epoch)
/// or (seed, step), so a run stopped at any point and resumed from its checkpoint ends with the same
/// weights as an uninterrupted run on the CPU.
/// </summary>
/// <remarks>Metrics always go to metrics.jsonl, epochs.csv and tensorboard/ in the run folder, written before <paramref name="observer"/> hears of them.</remarks>
public sealed class Trainer(TrainingConfig config, string runFolder, Device device, string? dataDir, TrainingObserver observer)
{
    private readonly TrainingObserver _observer = new ObserverList(new MetricsLog(runFolder), new TensorBoardLog(runFolder), observer);
    private readonly TrainingStep _step = new(config, device, FaultInjection.FromEnvironment());

    /// <summary>
    /// Runs (or resumes) training until all epochs are done or <paramref name="stop"/> is signalled; a stop
    /// takes effect after the current step, and the run saves a checkpoint before returning.
    /// </summary>
    /// <param name="resume">Continue from the run folder's checkpoint; without it an existing checkpoint is refused.</param>
    /// <param name="force">Resume even if the checkpoint's config differs.</param>
    /// <param name="stop">Stops the run cleanly.</param>
    public TrainingOutcome Run(bool resume, bool force, CancellationToken stop)
    {
        config.Validate();
        var clock = Stopwatch.StartNew();
        using var folderLock = RunFolderLock.Acquire(runFolder);
        int cleaned = AtomicFile.CleanLeftovers(runFolder);
        if (cleaned > 0)
            _observer.Message($"removed {cleaned} unfinished temporary file(s) from an earlier run");
        using var store = new CheckpointStore(runFolder);
        var failures = new TrainingFailures(config, device, store);

        var data = new RunData(config, device, dataDir, _observer);
        using var train = data.Training();
        using var test = data.Test();
        int dataChannels = train.ImageShape.Channels;
        int modelChannels = dataChannels == 1 && config.Grayscale == GrayscaleMode.RepeatChannels ? 3 : dataChannels;

        manual_seed(config.Seed);
        var spec = ModelResolver.Resolve(config.Model) with
        {
            NumClasses = train.ClassNames.Count,
            InChannels = modelChannels,
            DropPathRate = config.DropPathRate,
        };
        using var model = new ResNet(spec);
        if (config.InitialWeights is not null)
            _observer.Message(TransferLearning.LoadInitialWeights(model, config.InitialWeights));
        if (config.Freeze.Count > 0)
            TransferLearning.CheckParts(model, config.Freeze);
        model.to(device);
        if (config.ChannelsLast)
            MemoryFormat.ConvertWeights(model);
        if (device.type == DeviceType.CUDA)
            CudnnAutotune.TrySet(config.CudnnAutotune);
        var optimizer = CreateOptimizer(model);
        optimizer.Pack();
        using var average = config.EmaDecay > 0 ? new WeightAverage(model, config.EmaDecay) : null;
        var input = InputAdapter.For(dataChannels, train.Mean, train.Std, train.Source, modelChannels, device) with
        {
            ComputeDtype = config.Precision.ToScalarType(),
            ChannelsLast = config.ChannelsLast,
        };
        store.Card = CardFor(train, modelChannels);

        long stepsPerEpoch = train.Count / config.BatchSize;
        if (stepsPerEpoch == 0)
            throw new ArgumentException($"batch-size {config.BatchSize} is larger than the {train.Count} training images.");
        long totalSteps = stepsPerEpoch * config.Epochs;
        var schedule = new LearningRateSchedule(config.Schedule, config.LearningRate, totalSteps,
            (long)(config.WarmupEpochs * stepsPerEpoch));
        var progress = Restore(store, model, optimizer, average, resume, force) ?? new TrainingProgress(0, 0, 0, double.NaN);
        var scaler = config.Precision == Precision.Fp16 ? new LossScaler(progress.LossScale, progress.LossScaleGoodSteps) : null;
        long skippedBefore = 0;
        _observer.Message($"training {config.Model} ({model.CountParameters():N0} parameters) on {train.Source}: " +
            $"{train.Count:N0} train / {test.Count:N0} test images, {totalSteps:N0} steps on {device}");

        EvaluationResult? lastEvaluation = null;
        using var lossSum = zeros([], ScalarType.Float64, device);
        using var correctSum = zeros([], ScalarType.Float64, device);
        using var stepRandom = new StepRandom(device);
        long lossCount = 0, epochLossCount = 0;
        double epochLoss = 0;
        var logClock = Stopwatch.StartNew();

        for (int epoch = progress.Epoch; epoch < config.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            long firstStep = progress.StepInEpoch;
            using var order = Shuffle(train.Count, epoch);
            using var batches = train.Epoch(order, epoch, progress.StepInEpoch, config.BatchSize).GetEnumerator();
            if (TransferLearning.ApplyFreeze(model, config, epoch) && epoch == progress.Epoch)
                _observer.Message($"frozen: {string.Join(", ", TransferLearning.Expand(model, config.Freeze))}; " +
                    $"{model.CountParameters(trainableOnly: true):N0} trainable parameters" +
                    (config.UnfreezeAtEpoch > 0 ? $" until epoch {config.UnfreezeAtEpoch + 1}" : ""));
            else if (config.Freeze.Count > 0 && epoch == config.UnfreezeAtEpoch && epoch > 0)
                _observer.Message($"epoch {epoch + 1}: everything unfrozen");
            for (long i = progress.StepInEpoch; i < stepsPerEpoch; i++)
            {
                long step = epoch * stepsPerEpoch + i;
                double learningRate = schedule.At(step);
                if (!batches.MoveNext())
                    break; // every file of the remaining batches was skipped as unreadable
                var (images, labels) = batches.Current;
                try
                {
                    if (_step.Run(model, optimizer, scaler, images, labels, train.WantsPaddedCrop, input, step, learningRate, stepRandom, lossSum, correctSum))
                        average?.Update();
                }
                catch (ExternalException e) when (TrainingFailures.IsOutOfMemory(e))
                {
                    throw failures.OutOfMemory(e, step);
                }
                finally
                {
                    images.Dispose();
                    labels.Dispose();
                }
                lossCount++;
                progress = progress with
                {
                    Epoch = epoch, StepInEpoch = i + 1, GlobalStep = step + 1,
                    LossScale = scaler?.Scale ?? progress.LossScale, LossScaleGoodSteps = scaler?.GoodSteps ?? 0,
                    EmaUpdates = average?.Updates ?? 0,
                };

                bool log = (step + 1) % config.LogEvery == 0 || i == stepsPerEpoch - 1;
                bool checkpoint = config.CheckpointEvery > 0 && (step + 1) % config.CheckpointEvery == 0;
                if (log || checkpoint || stop.IsCancellationRequested)
                {
                    if (scaler is not null && scaler.SkippedSteps > skippedBefore)
                    {
                        _observer.Warning($"fp16: skipped {scaler.SkippedSteps - skippedBefore} step(s) with inf/NaN gradients by step {step + 1}; loss scale now {scaler.Scale:G}");
                        lossCount -= scaler.SkippedSteps - skippedBefore;
                        skippedBefore = scaler.SkippedSteps;
                        if (scaler.Scale < 1)
                            throw failures.Diverged(step, 1, learningRate);
                    }
                    double meanLoss = lossCount > 0 ? lossSum.item<double>() / lossCount : double.NaN;
                    if (lossCount > 0 && !double.IsFinite(meanLoss))
                        throw failures.Diverged(step, lossCount, learningRate);
                    if (log)
                    {
                        _observer.Step(new StepReport(epoch, step, totalSteps, meanLoss, learningRate,
                            lossCount * config.BatchSize / logClock.Elapsed.TotalSeconds) { StepsPerEpoch = stepsPerEpoch });
                        logClock.Restart();
                    }
                    if (lossCount > 0)
                        epochLoss += meanLoss * lossCount;
                    epochLossCount += lossCount;
                    lossSum.fill_(0); // TorchSharp's zero_() returns a new handle that would leak here
                    lossCount = 0;
                }
                if (stop.IsCancellationRequested)
                {
                    store.Save(model, optimizer, progress, config, average?.Model);
                    store.Flush();
                    _observer.Message($"stopped at step {step + 1}; checkpoint saved to {store.LatestPath}");
                    return new TrainingOutcome(false, progress, lastEvaluation, clock.Elapsed);
                }
                if (checkpoint)
                    store.Save(model, optimizer, progress, config, average?.Model);
            }

            // The last step's loss read-back waited for the device, so this is the steps' real wall time.
            double trainImagesPerSecond = (stepsPerEpoch - firstStep) * config.BatchSize / epochClock.Elapsed.TotalSeconds;
            double trainTop1 = correctSum.item<double>() / Math.Max(1, (stepsPerEpoch - firstStep) * config.BatchSize);
            correctSum.fill_(0);
            var evaluationClock = Stopwatch.StartNew();
            int evalBatch = Evaluator.BatchSizeFor(config.BatchSize, train.ImageShape.Height, train.ImageShape.Width, device,
                config.FlipTestTimeAugmentation);
            var evaluations = Evaluator.Evaluate(average is null ? [model] : [model, average.Model], test, evalBatch, input,
                config.FlipTestTimeAugmentation);
            var evaluationTime = evaluationClock.Elapsed;
            lastEvaluation = evaluations[0];
            var averageEvaluation = average is null ? null : evaluations[1];
            bool best = double.IsNaN(progress.BestTop1) || lastEvaluation.Top1 > progress.BestTop1;
            progress = progress with { Epoch = epoch + 1, StepInEpoch = 0, BestTop1 = best ? lastEvaluation.Top1 : progress.BestTop1 };
            store.Save(model, optimizer, progress, config, average?.Model, best);
            _observer.Epoch(new EpochReport(epoch, config.Epochs, epochLossCount > 0 ? epochLoss / epochLossCount : double.NaN,
                lastEvaluation, clock.Elapsed, best)
            {
                Ema = averageEvaluation, TrainImagesPerSecond = trainImagesPerSecond, EvaluationTime = evaluationTime,
                TrainTop1 = trainTop1, LearningRate = schedule.At((epoch + 1) * stepsPerEpoch - 1),
            });
            epochLoss = 0;
            epochLossCount = 0;
            logClock.Restart();
            double reached = Math.Max(lastEvaluation.Top1, averageEvaluation?.Top1 ?? 0);
            if (config.TargetTop1 > 0 && reached >= config.TargetTop1)
            {
                string which = lastEvaluation.Top1 >= config.TargetTop1 ? "" : " by the weight average";
                _observer.Message($"target top-1 {config.TargetTop1:P1} reached{which} at epoch {epoch + 1} " +
                    $"({reached:P2}, {clock.Elapsed.TotalSeconds:F1} s into this run)");
                break;
            }
        }
        store.Flush();
        return new TrainingOutcome(true, progress, lastEvaluation, clock.Elapsed);
    }

    private Tensor Shuffle(long count, int epoch)
    {
        using var generator = new Generator((ulong)Seeds.Mix(config.Seed, -1 - epoch));
        return randperm(count, generator: generator);
    }

    private Optimizer CreateOptimizer(ResNet model)
    {
        var parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        var scale = TransferLearning.LearningRateScale(config);
        return config.Optimizer == OptimizerKind.Sgd
            ? new SgdOptimizer(parameters, config.Momentum, config.Nesterov, config.WeightDecay, config.DecayNormsAndBiases) { LearningRateScale = scale }
            : new AdamWOptimizer(parameters, 0.9, 0.999, 1e-8, config.WeightDecay, config.DecayNormsAndBiases) { LearningRateScale = scale };
    }

    private TrainingProgress? Restore(CheckpointStore store, ResNet model, Optimizer optimizer, WeightAverage? average, bool resume, bool force)
    {
        var loaded = store.LoadLatest(_observer.Warning);
        if (loaded is null)
        {
            if (resume)
                _observer.Warning($"--resume: no checkpoint in {runFolder}; starting a new run");
            return null;
        }
        try
        {
            if (!resume)
                throw new IOException($"{runFolder} already holds a run ({loaded.Path}); pass --resume to continue it or choose another --output.");
            var differences = loaded.Config.Differences(config);
            if (differences.Count > 0 && !force)
                throw new ArgumentException(
                    $"{loaded.Path} was made with another configuration ({string.Join("; ", differences)}); pass --force to resume anyway.");
            WeightLoader.Load(model, Prefixed(loaded.Tensors, "model."), loaded.Path);
            optimizer.LoadState(Prefixed(loaded.Tensors, "optimizer."), loaded.OptimizerSteps);
            var averaged = Prefixed(loaded.Tensors, "ema.").ToList();
            if (average is not null && averaged.Count > 0)
                average.Load(averaged, loaded.Progress.EmaUpdates, loaded.Path);
            else
                average?.Restart();
            _observer.Message($"resumed from {loaded.Path} at epoch {loaded.Progress.Epoch + 1}, step {loaded.Progress.GlobalStep}");
            return loaded.Progress;
        }
        finally
        {
            foreach (var (_, tensor) in loaded.Tensors)
                tensor.Dispose();
        }
    }

    private static IEnumerable<(string, Tensor)> Prefixed(IEnumerable<(string Name, Tensor Tensor)> tensors, string prefix) =>
        tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(t => (t.Name[prefix.Length..], t.Tensor));

    private ModelCard CardFor(TrainingBatches train, int modelChannels)
    {
        int size = train.ImageShape.Height;
        bool folder = Directory.Exists(config.Dataset);
        bool gray = train.ImageShape.Channels == 1;
        // A grayscale dataset fed to a 3-channel model repeats its one channel (and its statistics).
        var mean = gray && modelChannels == 3 ? Enumerable.Repeat(train.Mean[0], 3).ToList() : train.Mean;
        var std = gray && modelChannels == 3 ? Enumerable.Repeat(train.Std[0], 3).ToList() : train.Std;
        var preprocessing = folder
            ? ImagePreprocessing.ForCrop(size)
            : new ImagePreprocessing(size, size, mean, std, Grayscale: gray);
        return new ModelCard(config.Model, train.ClassNames, modelChannels, preprocessing);
    }
}
