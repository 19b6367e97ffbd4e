namespace ResNetSharp.Training;

/// <summary>Where a run is: written into every checkpoint.</summary>
/// <param name="Epoch">Epoch in progress (0-based).</param>
/// <param name="StepInEpoch">Steps of that epoch already done.</param>
/// <param name="GlobalStep">Steps done in all.</param>
/// <param name="BestMetric">Best value so far of the metric best weights are chosen by (NaN before the first evaluation).</param>
/// <param name="LossScale">fp16 dynamic loss scale.</param>
/// <param name="LossScaleGoodSteps">Good steps since the loss scale last changed.</param>
/// <param name="EmaUpdates">Updates of the weight average so far.</param>
public sealed record TrainingProgress(int Epoch, long StepInEpoch, long GlobalStep, double BestMetric,
    double LossScale = 65536.0, long LossScaleGoodSteps = 0, long EmaUpdates = 0)
{
    /// <summary>The plateau schedule's state: its factor on the scheduled rate, best metric and evaluations without improvement.</summary>
    public PlateauReduction Plateau { get; init; } = PlateauReduction.Start;
}
