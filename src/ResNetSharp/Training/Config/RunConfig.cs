namespace ResNetSharp.Training;

/// <summary>Starting from pretrained weights: which, what stays frozen and until when, and the backbone's learning rate.</summary>
public sealed record TransferConfig
{
    /// <summary>Weights to start from (safetensors or .pth); heads whose shape differs are left new.</summary>
    public string? InitialWeights { get; init; }

    /// <summary>Parts to freeze (stem, layer1..layerN, a head's name, or "backbone" for everything but the heads).</summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];

    /// <summary>Unfreeze everything from this epoch on (0: keep frozen).</summary>
    public int UnfreezeAtEpoch { get; init; }

    /// <summary>Learning rate of the backbone, as a fraction of the heads'.</summary>
    public double BackboneLearningRateScale { get; init; } = 1.0;

    internal void Validate(string path)
    {
        ConfigException.Require(Freeze is not null && Freeze.All(p => p is { Length: > 0 }), $"{path}.freeze", null, "a list of part names");
        ConfigException.Require(UnfreezeAtEpoch >= 0, $"{path}.unfreezeAtEpoch", UnfreezeAtEpoch, "0 (never) or more");
        ConfigException.Require(BackboneLearningRateScale is >= 0 and <= 1e3, $"{path}.backboneLearningRateScale", BackboneLearningRateScale, "0 to 1000");
    }
}

/// <summary>A metric value at which a run stops early: <c>top1 = 0.95</c>, or <c>age.mae = 4.5</c> for one head.</summary>
/// <param name="Head">The head; null = the first head that has the metric.</param>
/// <param name="Metric">The metric's name (top1, top5, mae, rmse, loss).</param>
/// <param name="Value">Reached when the metric is at least this (or at most, for errors and losses).</param>
public sealed record MetricTarget(string? Head, string Metric, double Value)
{
    /// <summary>Parses "[HEAD.]METRIC=VALUE".</summary>
    public static MetricTarget Parse(string text, string property)
    {
        var pair = text.Split('=', 2, StringSplitOptions.TrimEntries);
        if (pair.Length == 2 && pair[0].Length > 0
            && double.TryParse(pair[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value))
        {
            int dot = pair[0].LastIndexOf('.');
            return new MetricTarget(dot < 0 ? null : pair[0][..dot], pair[0][(dot + 1)..], value);
        }
        throw new ConfigException(property, $"'{text}'", "[HEAD.]METRIC=VALUE, e.g. top1=0.95 or age.mae=4.5");
    }

    /// <inheritdoc />
    public override string ToString() => $"{(Head is null ? "" : Head + ".")}{Metric}={Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>How a run is kept and watched: seed, checkpoints, logs, evaluation and when to stop early.</summary>
public sealed record RunConfig
{
    /// <summary>Seed of weights, shuffling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>Write a checkpoint every N steps as well as at each epoch end (0 = epochs only).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Log the training loss every N steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Stop as soon as an epoch's evaluation (of the weights, or of their average) reaches this; null = run all epochs.</summary>
    public MetricTarget? Target { get; init; }

    /// <summary>
    /// Per part of the network, the gradient norm (at logged steps, averaged per epoch) and the dead units of the
    /// evaluation batch, in the logs each epoch, with a warning when gradients collapse or most units are dead.
    /// </summary>
    public bool Diagnostics { get; init; } = true;

    /// <summary>Average outputs with those of the mirrored images at evaluation.</summary>
    public bool FlipTestTimeAugmentation { get; init; }

    internal void Validate(string path)
    {
        ConfigException.Require(CheckpointEvery >= 0, $"{path}.checkpointEvery", CheckpointEvery, "0 or more");
        ConfigException.Require(LogEvery >= 1, $"{path}.logEvery", LogEvery, "1 or more");
        ConfigException.Require(Target is null || (Target.Metric.Length > 0 && double.IsFinite(Target.Value)), $"{path}.target", Target, "a metric and a finite value");
    }
}
