using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// The errors that end a run, each naming the step, what to try, and the last good checkpoint (after
/// waiting for a checkpoint still being written, so the file named is complete).
/// </summary>
internal sealed class TrainingFailures(TrainingConfig config, Device device, CheckpointStore store)
{
    /// <summary>The loss became NaN or infinite in the <paramref name="stepsSinceCheck"/> steps up to <paramref name="step"/> (0-based).</summary>
    public TrainingFailedException Diverged(long step, long stepsSinceCheck, double learningRate)
    {
        string when = stepsSinceCheck <= 1 ? $"at step {step + 1}" : $"between steps {step + 2 - stepsSinceCheck} and {step + 1}";
        return new TrainingFailedException(
            $"the training loss became NaN or infinite {when} (batch size {config.Optimization.BatchSize}, learning rate {learningRate:G4}); " +
            $"the last good checkpoint is {LastGoodCheckpoint()}, left as it was. Try a lower --lr or --clip-grad.");
    }

    /// <summary>Whether libtorch's error is a failed allocation.</summary>
    public static bool IsOutOfMemory(ExternalException e) =>
        e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase);

    /// <summary>An allocation failed at step <paramref name="step"/> (0-based).</summary>
    public TrainingFailedException OutOfMemory(ExternalException e, long step)
    {
        string first = e.Message.Split('\n')[0].Trim();
        return new TrainingFailedException(
            $"out of memory on {device} at step {step + 1} with batch size {config.Optimization.BatchSize} ({first}); " +
            $"the last good checkpoint is {LastGoodCheckpoint()}, left as it was. Try a smaller --batch-size.", e);
    }

    private string LastGoodCheckpoint()
    {
        store.WaitQuietly();
        return File.Exists(store.LatestPath) ? store.LatestPath : "none yet";
    }
}
