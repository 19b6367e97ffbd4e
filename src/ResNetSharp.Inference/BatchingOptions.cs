namespace ResNetSharp.Inference;

/// <summary>How <see cref="BatchingPredictor"/> groups concurrent calls into batches.</summary>
/// <param name="MaxBatchSize">Most images in one model call; 1 runs each image alone.</param>
/// <param name="MaxWaitMilliseconds">
/// Longest the oldest waiting image is held back for others to join its batch. 0 still batches whatever
/// arrived while the previous batch ran.
/// </param>
/// <param name="MaxQueue">Most images waiting for a batch; one more is refused with <see cref="PredictorQueueFullException"/>.</param>
public sealed record BatchingOptions(int MaxBatchSize = 32, int MaxWaitMilliseconds = 5, int MaxQueue = 256)
{
    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), $"BatchingOptions.MaxBatchSize must be 1 or more; got {MaxBatchSize}.");
        if (MaxWaitMilliseconds is < 0 or > 60_000)
            throw new ArgumentOutOfRangeException(nameof(MaxWaitMilliseconds), $"BatchingOptions.MaxWaitMilliseconds must be between 0 and 60000; got {MaxWaitMilliseconds}.");
        if (MaxQueue < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxQueue), $"BatchingOptions.MaxQueue must be 1 or more; got {MaxQueue}.");
    }
}
