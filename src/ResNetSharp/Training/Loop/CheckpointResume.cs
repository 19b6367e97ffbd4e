using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Restores a run from its folder's latest readable checkpoint: weights, optimiser state, weight average and progress.</summary>
internal static class CheckpointResume
{
    /// <summary>The progress restored, or null for a new run; an existing run without <paramref name="resume"/>, or with another config without <paramref name="force"/>, is refused.</summary>
    public static TrainingProgress? Restore(CheckpointStore store, nn.Module network, Optimizer optimizer, WeightAverage? average,
        TrainingConfig config, TrainingObserver observer, bool resume, bool force)
    {
        var loaded = store.LoadLatest(observer.Warning);
        if (loaded is null)
        {
            if (resume)
                observer.Warning($"--resume: no checkpoint in {store.Folder}; starting a new run");
            return null;
        }
        try
        {
            if (!resume)
                throw new IOException($"{store.Folder} already holds a run ({loaded.Path}); pass --resume to continue it or choose another --output.");
            var differences = loaded.Config.Differences(config);
            if (differences.Count > 0 && !force)
                throw new ArgumentException(
                    $"{loaded.Path} was made with another configuration ({string.Join("; ", differences)}); pass --force to resume anyway.");
            WeightLoader.Load(network, Prefixed(loaded.Tensors, "model."), loaded.Path);
            optimizer.LoadState(Prefixed(loaded.Tensors, "optimizer."), loaded.OptimizerSteps);
            var averaged = Prefixed(loaded.Tensors, "ema.").ToList();
            if (average is not null && averaged.Count > 0)
                average.Load(averaged, loaded.Progress.EmaUpdates, loaded.Path);
            else
                average?.Restart();
            observer.Message($"resumed from {loaded.Path} at epoch {loaded.Progress.Epoch + 1}, step {loaded.Progress.GlobalStep}");
            return loaded.Progress;
        }
        finally
        {
            foreach (var (_, tensor) in loaded.Tensors)
                tensor.Dispose();
        }
    }

    private static IEnumerable<(string, Tensor)> Prefixed(IEnumerable<(string Name, Tensor Tensor)> tensors, string prefix) =>
        tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(t => (t.Name[prefix.Length..], t.Tensor));
}
