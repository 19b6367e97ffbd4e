using System.Text.Json;
using TorchSharp;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Checkpoints in a run folder. One file holds everything needed to resume exactly (the model's weights
/// under "model.", the optimiser's state under "optimizer.", the weight average under "ema.", progress,
/// config and a digest of every tensor in the metadata), so weights and optimiser state can never disagree
/// and a damaged tensor is found on reading. Every file is written atomically; the previous
/// checkpoint is kept as a fallback. Plain torchvision-named weights (last.safetensors, best.safetensors)
/// sit beside it for users.
/// </summary>
public sealed class CheckpointStore(string folder) : IDisposable
{
    /// <summary>The run folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>The latest full checkpoint.</summary>
    public string LatestPath => Path.Combine(Folder, "checkpoint.safetensors");

    /// <summary>The checkpoint before the latest, kept in case the latest is damaged.</summary>
    public string PreviousPath => Path.Combine(Folder, "checkpoint.previous.safetensors");

    /// <summary>Weights of the latest checkpoint with torchvision names.</summary>
    public string LastWeightsPath => Path.Combine(Folder, "last.safetensors");

    /// <summary>Weights with the best test top-1.</summary>
    public string BestWeightsPath => Path.Combine(Folder, "best.safetensors");

    /// <summary>Weights of the exponential moving average, when the run keeps one.</summary>
    public string EmaWeightsPath => Path.Combine(Folder, "ema.safetensors");

    /// <summary>
    /// Writes a full checkpoint and the plain last weights (the average's too, with <paramref name="average"/>,
    /// and the best weights with <paramref name="best"/>). The tensors are copied to host memory now; the
    /// files are written on a background thread while training goes on, so a step never waits for the disk.
    /// A second save first waits for the one before, and rethrows its failure.
    /// </summary>
    public void Save(nn.Module model, Optimizer optimizer, TrainingProgress progress, TrainingConfig config, nn.Module? average = null, bool best = false)
    {
        Flush();
        var weights = Snapshot("model.", StateDictOrder.Entries(model));
        var optimizerState = Snapshot("optimizer.", optimizer.StateEntries());
        var averaged = average is null ? null : Snapshot("ema.", StateDictOrder.Entries(average));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["progress"] = JsonSerializer.Serialize(progress, ProgressJson),
            ["optimizer_steps"] = optimizer.Steps.ToString(),
            ["config"] = config.ToJson(),
        };
        var card = WeightsMetadata ?? new Dictionary<string, string> { ["format"] = "pt" };
        _pending = Task.Run(() =>
        {
            var all = weights.Select(e => ("model." + e.Name, e.Tensor))
                .Concat(optimizerState.Select(e => ("optimizer." + e.Name, e.Tensor)))
                .Concat(averaged is null ? [] : averaged.Select(e => ("ema." + e.Name, e.Tensor))).ToList();
            metadata["digests"] = JsonSerializer.Serialize(all.ToDictionary(e => e.Item1, e => TensorDigest.Of(e.Item2)));
            if (File.Exists(LatestPath))
                File.Move(LatestPath, PreviousPath, overwrite: true);
            SafetensorsFile.Save(LatestPath, all, metadata);
            SafetensorsFile.Save(LastWeightsPath, weights, card);
            if (averaged is not null)
                SafetensorsFile.Save(EmaWeightsPath, averaged, card);
            if (best)
                SafetensorsFile.Save(BestWeightsPath, weights, card);
        });
    }

    /// <summary>Waits until the last <see cref="Save"/> is on disk; rethrows its failure.</summary>
    public void Flush()
    {
        var pending = _pending;
        _pending = null;
        pending?.GetAwaiter().GetResult();
    }

    /// <summary>Waits for a pending write without throwing: for error paths, where that write's failure is not the news.</summary>
    public void WaitQuietly()
    {
        try
        {
            Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Waits for a pending write (quietly, see <see cref="WaitQuietly"/>) and frees the host copies.</summary>
    public void Dispose()
    {
        WaitQuietly();
        foreach (var copy in _hostCopies.Values)
            copy.Dispose();
        _hostCopies.Clear();
    }

    private Task? _pending;
    private readonly Dictionary<string, Tensor> _hostCopies = [];

    /// <summary>
    /// Copies <paramref name="entries"/> into host tensors that training cannot change while they are written.
    /// The host tensors are allocated at the first save and reused (a save first waits for the write before it).
    /// </summary>
    private List<(string Name, Tensor Tensor)> Snapshot(string prefix, IEnumerable<(string Name, Tensor Tensor)> entries)
    {
        using var _ = no_grad();
        return entries.Select(e =>
        {
            string key = prefix + e.Name;
            if (!_hostCopies.TryGetValue(key, out var copy) || copy.dtype != e.Tensor.dtype || !copy.shape.SequenceEqual(e.Tensor.shape))
            {
                copy?.Dispose();
                copy = empty(e.Tensor.shape, e.Tensor.dtype, CPU).DetachFromDisposeScope();
                _hostCopies[key] = copy;
            }
            copy.copy_(e.Tensor);
            return (e.Name, copy);
        }).ToList();
    }

    /// <summary>Metadata of the plain weight files (model, spec, heads, class names, preprocessing), so later commands need no flags.</summary>
    public IReadOnlyDictionary<string, string>? WeightsMetadata { get; set; }

    /// <summary>The metadata format of checkpoints written now: with a digest of every tensor.</summary>
    public const string Format = "resnetsharp-checkpoint-2";

    /// <summary>A checkpoint read back: tensors (caller disposes), progress, optimiser steps and config.</summary>
    public sealed record Loaded(string Path, IReadOnlyList<(string Name, Tensor Tensor)> Tensors, TrainingProgress Progress, long OptimizerSteps, TrainingConfig Config);

    /// <summary>
    /// The latest readable checkpoint, or null when the folder has none. A damaged latest checkpoint falls
    /// back to the previous one, reported through <paramref name="warn"/>; never silently to a fresh start.
    /// </summary>
    public Loaded? LoadLatest(Action<string> warn)
    {
        var failures = new List<string>();
        foreach (var path in new[] { LatestPath, PreviousPath })
        {
            if (!File.Exists(path))
                continue;
            try
            {
                var loaded = Read(path);
                foreach (var failure in failures)
                    warn(failure);
                return loaded;
            }
            catch (Exception e) when (e is FormatException or IOException or JsonException or KeyNotFoundException)
            {
                failures.Add($"checkpoint {path} is unreadable ({e.Message}); trying an older one.");
            }
        }
        if (failures.Count > 0)
            throw new InvalidDataException($"no readable checkpoint in {Folder}: {string.Join(" ", failures)}");
        return null;
    }

    private static Loaded Read(string path)
    {
        var (tensors, metadata) = SafetensorsFile.Load(path);
        try
        {
            if (!metadata.TryGetValue("format", out var format) || format is not (Format or "resnetsharp-checkpoint-1"))
                throw new FormatException($"{path} is not a ResNetSharp checkpoint (metadata format '{format}').");
            if (format == Format)
                TensorDigest.Verify(tensors, JsonSerializer.Deserialize<Dictionary<string, string>>(metadata["digests"]) ?? [], path);
            var progress = JsonSerializer.Deserialize<TrainingProgress>(metadata["progress"], ProgressJson)!;
            var config = TrainingConfig.FromJson(metadata["config"], path);
            return new Loaded(path, tensors, progress, long.Parse(metadata["optimizer_steps"]), config);
        }
        catch
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
            throw;
        }
    }

    private static readonly JsonSerializerOptions ProgressJson = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
