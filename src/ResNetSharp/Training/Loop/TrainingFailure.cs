namespace ResNetSharp.Training;

/// <summary>A run that had to stop: the message names the step, learning rate and the last good checkpoint.</summary>
public sealed class TrainingFailedException(string message, Exception? inner = null) : Exception(message, inner);
