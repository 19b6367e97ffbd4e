using ResNetSharp.Data;
using System.Diagnostics;

namespace ResNetSharp.Training;

/// <summary>What an epoch's steps measured, for its report.</summary>
/// <param name="Loss">Mean training loss of the steps.</param>
/// <param name="Accuracy">Each classification head's top-1 on the batches trained on.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="ImagesPerSecond">Training images per second of the steps' wall time.</param>
internal sealed record EpochTraining(double Loss, IReadOnlyDictionary<string, double> Accuracy, double LearningRate, double ImagesPerSecond);

/// <summary>
/// The end of an epoch: evaluate the network (and its weight average) on the validation split, keep the
/// best weights by the monitored metric, checkpoint, report, and say whether the target is reached.
/// </summary>
internal sealed class EpochEnd(RunSession session, TrainingConfig config, CheckpointStore store, TrainingObserver observer)
{
    /// <summary>
    /// The evaluation of the epoch's weights and whether the target is reached; a null evaluation when
    /// <paramref name="stop"/> came during it (the caller saves the progress of the steps done).
    /// </summary>
    public (NetworkEvaluation? Evaluation, bool TargetReached) Finish(int epoch, EpochTraining training, TimeSpan elapsed, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var data = session.Setup.Validation;
        var (_, height, width) = session.Setup.Train.ImageShape;
        int batch = Evaluator.BatchSizeFor(config.Optimization.BatchSize, height, width, session.Device, config.Run.FlipTestTimeAugmentation);
        var networks = session.AverageNetwork is { } averaged ? new[] { session.Network, averaged } : [session.Network];
        IReadOnlyList<NetworkEvaluation> evaluations;
        try
        {
            evaluations = Evaluator.Evaluate(networks, data, batch, session.Input, config.Run.FlipTestTimeAugmentation, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return (null, false);
        }
        var stages = Health(batch);
        var evaluation = evaluations[0];
        var average = evaluations.Count > 1 ? evaluations[1] : null;
        var monitored = Monitored(evaluation);
        double best = session.Progress.BestMetric;
        bool isBest = monitored is { } m && (double.IsNaN(best) || (m.HigherIsBetter ? m.Value > best : m.Value < best));
        session.Progress = session.Progress with
        {
            Epoch = epoch + 1, StepInEpoch = 0, BestMetric = isBest ? monitored!.Value : best, Plateau = NextPlateau(monitored),
        };
        store.Save(session.Network, session.Optimizer, session.Progress, config, session.Average?.Model, isBest);
        observer.Epoch(new EpochReport(epoch, config.Schedule.Epochs, training.Loss, evaluation, elapsed, isBest)
        {
            Ema = average, TrainImagesPerSecond = training.ImagesPerSecond, EvaluationTime = clock.Elapsed,
            TrainAccuracy = training.Accuracy, LearningRate = training.LearningRate, Stages = stages,
        });
        return (evaluation, TargetReached(epoch, evaluation, average, elapsed));
    }

    /// <summary>
    /// Each part's mean gradient norm over the epoch's measured steps and, for a catalog ResNet, its dead units on
    /// the first evaluation batch (the validation set's first <paramref name="batch"/> images); empty when diagnostics are off.
    /// </summary>
    private IReadOnlyList<StageHealth> Health(int batch)
    {
        if (session.Gradients is not { } gradients)
            return [];
        var norms = gradients.TakeMeans();
        IReadOnlyDictionary<string, (double Dead, double Zero)> dead = new Dictionary<string, (double, double)>();
        if (session.Network.ResNetBackbone is { } resnet && session.Setup.Validation.Count > 0)
        {
            var data = session.Setup.Validation;
            var order = Enumerable.Range(0, (int)Math.Min(batch, data.Count)).Select(i => (long)i).ToArray();
            using var first = data.Batches(new BatchPlan(order, order.Length, 0, DropLast: false, 0, session.Device)).FirstOrDefault();
            if (first is not null)
            {
                using var x = session.Input.Prepare(first.Images, AugmentationOptions.None, null);
                dead = DeadUnits.Measure(resnet, x);
            }
        }
        return norms.Keys.Union(dead.Keys).Select(part => new StageHealth(part, norms.GetValueOrDefault(part, double.NaN),
            dead.TryGetValue(part, out var d) ? d.Dead : double.NaN, dead.TryGetValue(part, out d) ? d.Zero : double.NaN)).ToList();
    }

    /// <summary>The plateau schedule's state after this evaluation (unchanged for other schedules), with a message when it reduces the rate.</summary>
    private PlateauReduction NextPlateau(Metric? monitored)
    {
        var plateau = session.Progress.Plateau;
        if (config.Schedule.Kind != ScheduleKind.Plateau || monitored is null || !double.IsFinite(monitored.Value))
            return plateau;
        var next = plateau.After(monitored.Value, monitored.HigherIsBetter, config.Schedule.Gamma, config.Schedule.PlateauPatience);
        if (next.Factor != plateau.Factor)
            observer.Message($"{monitored.Name} has not improved for {config.Schedule.PlateauPatience + 1} evaluation(s): learning rate now " +
                $"{config.Optimization.LearningRate * next.Factor:G4}");
        return next;
    }

    /// <summary>The metric best weights are chosen by: the target's, else the first head's main metric.</summary>
    private Metric? Monitored(NetworkEvaluation evaluation) => config.Run.Target is { } target
        ? evaluation.Find(target.Head, target.Metric)?.Metric
        : evaluation.Heads.Values.FirstOrDefault()?.Metrics.FirstOrDefault();

    private bool TargetReached(int epoch, NetworkEvaluation evaluation, NetworkEvaluation? average, TimeSpan elapsed)
    {
        if (config.Run.Target is not { } target)
            return false;
        var found = evaluation.Find(target.Head, target.Metric)
            ?? throw TargetMetrics.NotAMetricOf(target, evaluation.Heads.Select(h => (h.Key, h.Value.Metrics.Select(m => m.Name))));
        bool Reached(Metric m) => m.HigherIsBetter ? m.Value >= target.Value : m.Value <= target.Value;
        var averaged = average?.Find(found.Head, target.Metric)?.Metric;
        if (!Reached(found.Metric) && (averaged is null || !Reached(averaged)))
            return false;
        string which = Reached(found.Metric) ? "" : " by the weight average";
        double value = Reached(found.Metric) ? found.Metric.Value : averaged!.Value;
        string name = evaluation.Heads.Count > 1 ? $"{found.Head}.{target.Metric}" : target.Metric;
        observer.Message($"target {name} {target.Value:G4} reached{which} at epoch {epoch + 1} ({value:G4}, {elapsed.TotalSeconds:F1} s into this run)");
        return true;
    }
}
