namespace ResNetSharp.Training;

/// <summary>
/// Reduce-on-plateau as torch.optim.lr_scheduler.ReduceLROnPlateau (relative threshold 1e-4, no cooldown,
/// no floor): after more than <c>patience</c> evaluations in a row without an improvement of the monitored
/// metric, the learning rate is multiplied by <c>gamma</c>. Immutable: <see cref="After"/> returns the next
/// state, which the run's progress (and so each checkpoint) holds, so a resumed run reduces at the same epochs.
/// </summary>
/// <param name="Factor">Multiplier of the scheduled learning rate (1 until the first reduction).</param>
/// <param name="Best">Best value of the metric so far (NaN before the first evaluation).</param>
/// <param name="BadEpochs">Evaluations since the last improvement or reduction.</param>
public sealed record PlateauReduction(double Factor, double Best, int BadEpochs)
{
    /// <summary>Relative improvement that counts (torch's default threshold, mode "rel").</summary>
    public const double Threshold = 1e-4;

    /// <summary>The state before any evaluation.</summary>
    public static PlateauReduction Start { get; } = new(1.0, double.NaN, 0);

    /// <summary>The state after an evaluation whose monitored metric is <paramref name="value"/>.</summary>
    public PlateauReduction After(double value, bool higherIsBetter, double gamma, int patience)
    {
        bool better = double.IsNaN(Best) || (higherIsBetter ? value > Best * (1 + Threshold) : value < Best * (1 - Threshold));
        var next = better ? this with { Best = value, BadEpochs = 0 } : this with { BadEpochs = BadEpochs + 1 };
        return next.BadEpochs > patience ? next with { Factor = Factor * gamma, BadEpochs = 0 } : next;
    }
}
