namespace ResNetSharp.Inference;

/// <summary>What one model call of a <see cref="BatchingPredictor"/> did, for metrics.</summary>
/// <param name="Size">Images in the batch.</param>
/// <param name="OldestWait">How long the batch's first image waited in the queue.</param>
/// <param name="Run">How long the model call took.</param>
/// <param name="QueueDepth">Images still waiting when the batch started.</param>
public sealed record BatchReport(int Size, TimeSpan OldestWait, TimeSpan Run, int QueueDepth);
