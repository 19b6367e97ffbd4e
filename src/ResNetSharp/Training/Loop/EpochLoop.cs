using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>The epochs of a run: freezing, the steps (logged, checkpointed, stoppable), then the end-of-epoch evaluation.</summary>
internal sealed class EpochLoop(RunSession session, TrainingConfig config, CheckpointStore store, TrainingObserver observer, TrainingFailures failures)
{
    private readonly TrainingStep _step = new(config, session.Device, FaultInjection.FromEnvironment());

    public TrainingOutcome Run(CancellationToken stop, Stopwatch clock)
    {
        var network = session.Network;
        var setup = session.Setup;
        long totalSteps = session.TotalSteps(config);
        observer.Message($"training {setup.Name} ({network.CountParameters():N0} parameters; heads {string.Join(", ", network.Heads.Select(h => h.Name))}) on " +
            $"{setup.Train.Source}: {setup.Train.Count:N0} train / {setup.Validation.Count:N0} validation images, {totalSteps:N0} steps on {session.Device}");
        using var log = new StepLog(session, config, observer, failures);
        using var random = new StepRandom(session.Device);
        using var accuracy = new TrainAccuracy(network, session.Device);
        var ending = new EpochEnd(session, config, store, observer);
        NetworkEvaluation? last = null;
        for (int epoch = session.Progress.Epoch; epoch < config.Schedule.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            long firstStep = session.Progress.StepInEpoch;
            Freeze(epoch);
            if (!Steps(epoch, log, random, accuracy, stop))
                return Stopped(clock, last);
            // The last step's loss read-back waited for the device, so this is the steps' real wall time.
            double imagesPerSecond = (session.StepsPerEpoch - firstStep) * config.Optimization.BatchSize / epochClock.Elapsed.TotalSeconds;
            var training = new EpochTraining(log.TakeEpochLoss(), accuracy.Take(), session.Schedule.At((epoch + 1) * session.StepsPerEpoch - 1), imagesPerSecond);
            var (evaluation, reached) = ending.Finish(epoch, training, clock.Elapsed, stop);
            if (evaluation is null)
                return Stopped(clock, last);
            last = evaluation;
            log.RestartClock();
            if (reached)
                break;
        }
        store.Flush();
        return new TrainingOutcome(true, session.Progress, last, clock.Elapsed);
    }

    private TrainingOutcome Stopped(Stopwatch clock, NetworkEvaluation? last)
    {
        store.Save(session.Network, session.Optimizer, session.Progress, config, session.Average?.Model);
        store.Flush();
        observer.Message($"stopped at step {session.Progress.GlobalStep}; checkpoint saved to {store.LatestPath}");
        return new TrainingOutcome(false, session.Progress, last, clock.Elapsed);
    }

    /// <summary>The steps of one epoch from the progress on; false when stopped (the progress is that of the last step done).</summary>
    private bool Steps(int epoch, StepLog log, StepRandom random, TrainAccuracy accuracy, CancellationToken stop)
    {
        var train = session.Setup.Train;
        int batchSize = config.Optimization.BatchSize;
        var plan = new BatchPlan(Shuffle(train.Count, epoch), batchSize, session.Progress.StepInEpoch, DropLast: true, epoch, session.Device);
        using var batches = train.Batches(plan).GetEnumerator();
        for (long i = session.Progress.StepInEpoch; i < session.StepsPerEpoch; i++)
        {
            if (stop.IsCancellationRequested)
                return false;
            long step = epoch * session.StepsPerEpoch + i;
            double learningRate = session.LearningRateAt(step);
            if (!batches.MoveNext())
                break; // every file of the remaining batches was skipped as unreadable
            using (var batch = batches.Current)
            {
                try
                {
                    bool logged = (step + 1) % config.Run.LogEvery == 0 || i == session.StepsPerEpoch - 1;
                    if (_step.Run(session, batch, train.WantsPaddedCrop, step, learningRate, random, log.LossSum, accuracy, logged ? log.GradientNorm : null))
                        session.Average?.Update();
                }
                catch (ExternalException e) when (TrainingFailures.IsOutOfMemory(e))
                {
                    throw failures.OutOfMemory(e, step);
                }
            }
            session.Progress = session.Progress with
            {
                Epoch = epoch, StepInEpoch = i + 1, GlobalStep = step + 1,
                LossScale = session.Scaler?.Scale ?? session.Progress.LossScale, LossScaleGoodSteps = session.Scaler?.GoodSteps ?? 0,
                EmaUpdates = session.Average?.Updates ?? 0,
            };
            bool last = i == session.StepsPerEpoch - 1;
            bool checkpoint = config.Run.CheckpointEvery > 0 && (step + 1) % config.Run.CheckpointEvery == 0;
            log.AfterStep(epoch, step, learningRate, last, force: checkpoint || stop.IsCancellationRequested);
            if (stop.IsCancellationRequested && !last)
                return false;
            if (checkpoint)
                store.Save(session.Network, session.Optimizer, session.Progress, config, session.Average?.Model);
        }
        return true;
    }

    private void Freeze(int epoch)
    {
        var network = session.Network;
        var transfer = config.Transfer;
        if (TransferLearning.ApplyFreeze(network, transfer, epoch) && epoch == session.Progress.Epoch)
            observer.Message($"frozen: {string.Join(", ", TransferLearning.Expand(network, transfer.Freeze))}; " +
                $"{network.CountParameters(trainableOnly: true):N0} trainable parameters" +
                (transfer.UnfreezeAtEpoch > 0 ? $" until epoch {transfer.UnfreezeAtEpoch + 1}" : ""));
        else if (transfer.Freeze.Count > 0 && epoch == transfer.UnfreezeAtEpoch && epoch > 0)
            observer.Message($"epoch {epoch + 1}: everything unfrozen");
    }

    private long[] Shuffle(long count, int epoch)
    {
        using var generator = new Generator((ulong)Seeds.Mix(config.Run.Seed, -1 - epoch));
        using var order = randperm(count, generator: generator);
        return order.data<long>().ToArray();
    }
}
