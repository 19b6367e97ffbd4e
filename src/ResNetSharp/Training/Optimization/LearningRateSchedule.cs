namespace ResNetSharp.Training;

/// <summary>Kinds of learning-rate schedule.</summary>
public enum ScheduleKind
{
    /// <summary>Linear warm-up from peak/25 to the peak over the first 30% (or the warm-up), then cosine down to peak/25e4 (torch OneCycleLR).</summary>
    OneCycle,

    /// <summary>Linear warm-up from 0, then cosine to 0.</summary>
    Cosine,

    /// <summary>Linear warm-up, then the peak times 0.1 at each milestone (fractions of training).</summary>
    MultiStep,

    /// <summary>The peak throughout.</summary>
    Constant,

    /// <summary>Linear warm-up, then the peak times gamma at each milestone given in epochs or iterations (torch MultiStepLR).</summary>
    Step,

    /// <summary>Linear warm-up, then the peak times gamma each time the monitored metric stops improving for a patience of epochs (torch ReduceLROnPlateau).</summary>
    Plateau,
}

/// <summary>
/// The learning rate at each step of a run; a pure function of the step, so resumes need no state. The
/// plateau schedule's reductions depend on evaluations: the trainer multiplies this by the factor it keeps
/// in the run's progress (see <see cref="PlateauReduction"/>).
/// </summary>
/// <param name="Kind">Shape of the schedule.</param>
/// <param name="PeakRate">Highest learning rate.</param>
/// <param name="TotalSteps">Steps in the whole run.</param>
/// <param name="WarmupSteps">Steps of linear warm-up (OneCycle: 0 means 30% of the run).</param>
/// <param name="Milestones">MultiStep: fractions of the run at which the rate drops tenfold.</param>
public sealed record LearningRateSchedule(ScheduleKind Kind, double PeakRate, long TotalSteps, long WarmupSteps = 0, IReadOnlyList<double>? Milestones = null)
{
    /// <summary>Step: the 0-based steps from which the rate is multiplied by <see cref="Gamma"/> once more.</summary>
    public IReadOnlyList<long> StepMilestones { get; init; } = [];

    /// <summary>Step: the factor per milestone.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>
    /// The schedule a <see cref="ScheduleConfig"/> describes for a run of <paramref name="stepsPerEpoch"/> steps per
    /// epoch: milestones in epochs become the first step of that (fractional) epoch, rounded to the nearest step.
    /// </summary>
    public static LearningRateSchedule For(ScheduleConfig schedule, double peakRate, long stepsPerEpoch) =>
        new(schedule.Kind, peakRate, stepsPerEpoch * schedule.Epochs, (long)(schedule.WarmupEpochs * stepsPerEpoch))
        {
            StepMilestones = schedule.StepIterations.Count > 0
                ? schedule.StepIterations
                : schedule.StepEpochs.Select(e => (long)Math.Round(e * stepsPerEpoch)).ToList(),
            Gamma = schedule.Gamma,
        };

    /// <summary>Learning rate for the update at 0-based <paramref name="step"/>.</summary>
    public double At(long step)
    {
        step = Math.Clamp(step, 0, Math.Max(0, TotalSteps - 1));
        switch (Kind)
        {
            case ScheduleKind.OneCycle:
            {
                long warm = WarmupSteps > 0 ? WarmupSteps : (long)(0.3 * TotalSteps);
                double start = PeakRate / 25, end = start / 1e4;
                if (step < warm)
                    return start + (PeakRate - start) * step / Math.Max(1, warm);
                return Cosine(step - warm, TotalSteps - warm, PeakRate, end);
            }
            case ScheduleKind.Cosine:
                return step < WarmupSteps
                    ? PeakRate * (step + 1) / WarmupSteps
                    : Cosine(step - WarmupSteps, TotalSteps - WarmupSteps, PeakRate, 0);
            case ScheduleKind.MultiStep:
            {
                if (step < WarmupSteps)
                    return PeakRate * (step + 1) / WarmupSteps;
                int drops = (Milestones ?? [0.5, 0.75]).Count(m => step >= m * TotalSteps);
                return PeakRate * Math.Pow(0.1, drops);
            }
            case ScheduleKind.Step:
                return step < WarmupSteps
                    ? PeakRate * (step + 1) / WarmupSteps
                    : PeakRate * Math.Pow(Gamma, StepMilestones.Count(m => step >= m));
            case ScheduleKind.Plateau:
                return step < WarmupSteps ? PeakRate * (step + 1) / WarmupSteps : PeakRate;
            default:
                return PeakRate;
        }
    }

    private static double Cosine(long step, long steps, double from, double to) =>
        to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * step / Math.Max(1, steps - 1)));
}
