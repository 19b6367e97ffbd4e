using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// What a run trains: the network (backbone and heads), the data, and optionally the optimiser, as
/// parts. The <see cref="Trainer"/> runs any setup the same way (seeds, steps, precision, weight
/// average, checkpoints, exact resume, evaluation, stop signals). <see cref="FromConfig"/> builds the
/// catalog setup a <see cref="TrainingConfig"/> describes; build one by hand to train your own parts.
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    /// <summary>
    /// Builds a new network with fresh weights. Called once for the network trained and once more for its
    /// weight average (which then copies the weights), so it must build the same structure every time.
    /// </summary>
    public required Func<MultiHeadNetwork> CreateNetwork { get; init; }

    /// <summary>The training split; every head's label column must be in it.</summary>
    public required LabelledImageSet Train { get; init; }

    /// <summary>The split evaluated after each epoch.</summary>
    public required LabelledImageSet Validation { get; init; }

    /// <summary>
    /// Builds the optimiser over the network's named parameters (null: the one <see cref="OptimizationConfig"/>
    /// describes, with the transfer learning-rate scale). Subclass <see cref="Optimizer"/> for your own.
    /// </summary>
    public Func<MultiHeadNetwork, Optimizer>? CreateOptimizer { get; init; }

    /// <summary>Input channels of the network (null: the images' channels; 3 with 1-channel images repeats the channel).</summary>
    public int? ModelChannels { get; init; }

    /// <summary>What to call the network in messages.</summary>
    public string Name { get; init; } = "network";

    /// <summary>
    /// Extra metadata for the weight files the run writes (model name, spec, preprocessing...); the heads'
    /// descriptions are always added. Null: the heads alone.
    /// </summary>
    public Func<MultiHeadNetwork, IReadOnlyDictionary<string, string>>? WeightsMetadata { get; init; }

    /// <summary>Dispose <see cref="Train"/> and <see cref="Validation"/> with the setup.</summary>
    public bool OwnsData { get; init; } = true;

    /// <summary>The catalog setup <paramref name="config"/> describes: its model, heads and data (loaded onto <paramref name="device"/>).</summary>
    /// <param name="config">The run's config.</param>
    /// <param name="device">Where in-memory data goes.</param>
    /// <param name="dataDir">Folder holding the named datasets' files (null: the usual places).</param>
    /// <param name="observer">Hears of skipped images and warnings.</param>
    public static TrainingSetup FromConfig(TrainingConfig config, Device device, string? dataDir, TrainingObserver observer) =>
        ConfigSetup.Build(config.Validate(), device, dataDir, observer);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!OwnsData)
            return;
        Train.Dispose();
        Validation.Dispose();
    }
}
