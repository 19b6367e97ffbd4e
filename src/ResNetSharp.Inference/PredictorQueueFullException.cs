namespace ResNetSharp.Inference;

/// <summary>A <see cref="BatchingPredictor"/> call refused because <see cref="BatchingOptions.MaxQueue"/> images already wait; try again later.</summary>
public sealed class PredictorQueueFullException(int maxQueue)
    : InvalidOperationException($"the predictor's queue is full ({maxQueue} images wait, BatchingOptions.MaxQueue); try again later")
{
    /// <summary>The queue's capacity.</summary>
    public int MaxQueue { get; } = maxQueue;
}
