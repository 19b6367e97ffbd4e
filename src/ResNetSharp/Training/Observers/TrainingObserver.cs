namespace ResNetSharp.Training;

/// <summary>A logged training step.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Global 0-based step just finished.</param>
/// <param name="TotalSteps">Steps in the whole run.</param>
/// <param name="Loss">Mean training loss since the last log.</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="ImagesPerSecond">Throughput since the last log.</param>
public sealed record StepReport(int Epoch, long Step, long TotalSteps, double Loss, double LearningRate, double ImagesPerSecond)
{
    /// <summary>Steps in one epoch.</summary>
    public long StepsPerEpoch { get; init; } = 1;

    /// <summary>L2 norm of all gradients at this step (unscaled, before clipping); NaN when not measured (diagnostics off).</summary>
    public double GradientNorm { get; init; } = double.NaN;
}

/// <summary>An epoch's end.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="TrainLoss">Mean training loss of the epoch's steps.</param>
/// <param name="Evaluation">Evaluation of every head on the validation split.</param>
/// <param name="Elapsed">Time since the run (or resume) started.</param>
/// <param name="IsBest">Whether this is the best value so far of the metric best weights are chosen by.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, NetworkEvaluation Evaluation, TimeSpan Elapsed, bool IsBest)
{
    /// <summary>Evaluation of the weight average, when the run keeps one.</summary>
    public NetworkEvaluation? Ema { get; init; }

    /// <summary>The first classification head's results (a single-head classifier's), or null when no head classifies.</summary>
    public EvaluationResult? Test => Evaluation.Classification;

    /// <summary>Training images per second of wall time over this epoch's steps (evaluation and checkpoint excluded).</summary>
    public double TrainImagesPerSecond { get; init; } = double.NaN;

    /// <summary>Wall time of this epoch's evaluation.</summary>
    public TimeSpan EvaluationTime { get; init; }

    /// <summary>Gradient norms and dead units per part of the network (empty when diagnostics are off); see <see cref="StageHealth"/>.</summary>
    public IReadOnlyList<StageHealth> Stages { get; init; } = [];

    /// <summary>
    /// Top-1 accuracy of each classification head, by head name, on this epoch's training batches as trained on
    /// (augmented; with mixup or CutMix, the λ-weighted share of either label set), counted during the steps,
    /// so the weights change within it. After a resume in mid-epoch it covers the steps run since.
    /// </summary>
    public IReadOnlyDictionary<string, double> TrainAccuracy { get; init; } = new Dictionary<string, double>();

    /// <summary>The training top-1 of the head <see cref="Test"/> reports (the first classification head), NaN without one.</summary>
    public double TrainTop1 => Evaluation.Heads.FirstOrDefault(h => h.Value is EvaluationResult).Key is { } head
        && TrainAccuracy.TryGetValue(head, out double top1) ? top1 : double.NaN;

    /// <summary>Learning rate of the epoch's last step, as the schedule gives it (a backbone learning-rate scale applies on top).</summary>
    public double LearningRate { get; init; } = double.NaN;
}

/// <summary>Receives what a training run does; every method does nothing unless overridden.</summary>
public class TrainingObserver
{
    /// <summary>A line of information (data found, resume point, checkpoint written).</summary>
    public virtual void Message(string text) { }

    /// <summary>A warning that needs the user's attention but does not stop the run.</summary>
    public virtual void Warning(string text) { }

    /// <summary>Every <see cref="RunConfig.LogEvery"/> steps.</summary>
    public virtual void Step(StepReport report) { }

    /// <summary>At each epoch's end, after evaluation.</summary>
    public virtual void Epoch(EpochReport report) { }
}

/// <summary>Forwards to several observers.</summary>
public sealed class ObserverList(params TrainingObserver[] observers) : TrainingObserver
{
    /// <inheritdoc />
    public override void Message(string text) { foreach (var o in observers) o.Message(text); }

    /// <inheritdoc />
    public override void Warning(string text) { foreach (var o in observers) o.Warning(text); }

    /// <inheritdoc />
    public override void Step(StepReport report) { foreach (var o in observers) o.Step(report); }

    /// <inheritdoc />
    public override void Epoch(EpochReport report) { foreach (var o in observers) o.Epoch(report); }
}
