namespace ResNetSharp.Training;

/// <summary>Optimisers.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (Nesterov by default).</summary>
    Sgd,

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,

    /// <summary>Plain Adam, with weight decay as an L2 term added to the gradient (torch.optim.Adam).</summary>
    Adam,
}

/// <summary>The optimiser, the batch and what shapes each step: clipping and the weight average.</summary>
public sealed record OptimizationConfig
{
    /// <summary>Optimiser (used unless the setup brings its own).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum for SGD.</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>Weight decay (L2 for SGD and Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Apply weight decay to norm parameters and biases too.</summary>
    public bool DecayNormsAndBiases { get; init; }

    /// <summary>Clip the global gradient norm to this; 0 = off.</summary>
    public double GradientClip { get; init; }

    /// <summary>Keep an exponential moving average of the weights with this decay (e.g. 0.999), evaluated and saved separately; 0 = off.</summary>
    public double EmaDecay { get; init; }

    internal void Validate(string path)
    {
        ConfigException.Require(Enum.IsDefined(Optimizer), $"{path}.optimizer", Optimizer, "sgd, adam or adamW");
        ConfigException.Require(BatchSize is >= 1 and <= 1 << 20, $"{path}.batchSize", BatchSize, "1 to 1048576");
        ConfigException.Require(LearningRate > 0 && double.IsFinite(LearningRate), $"{path}.learningRate", LearningRate, "a positive number");
        ConfigException.Require(Momentum is >= 0 and < 1, $"{path}.momentum", Momentum, "in [0, 1)");
        ConfigException.Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), $"{path}.weightDecay", WeightDecay, "0 or more");
        ConfigException.Require(GradientClip >= 0 && double.IsFinite(GradientClip), $"{path}.gradientClip", GradientClip, "0 (off) or more");
        ConfigException.Require(EmaDecay == 0 || EmaDecay is > 0 and < 1, $"{path}.emaDecay", EmaDecay, "0 (off) or a decay in (0, 1)");
    }
}

/// <summary>How long a run is and how its learning rate moves.</summary>
public sealed record ScheduleConfig
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.OneCycle;

    /// <summary>Warm-up epochs (fractional allowed); OneCycle with 0 warms up over 30% of the run.</summary>
    public double WarmupEpochs { get; init; }

    /// <summary>Step: the epochs (fractions allowed, counted from 0) at which the rate is multiplied by <see cref="Gamma"/>, e.g. [30, 60].</summary>
    public IReadOnlyList<double> StepEpochs { get; init; } = [];

    /// <summary>Step: the optimiser steps (iterations) at which the rate is multiplied by <see cref="Gamma"/>, e.g. [32000, 48000]; instead of <see cref="StepEpochs"/>.</summary>
    public IReadOnlyList<long> StepIterations { get; init; } = [];

    /// <summary>Step and plateau: the factor the rate is multiplied by at each milestone or plateau.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Plateau: evaluations without improvement of the monitored metric after which the rate is multiplied by <see cref="Gamma"/> (torch ReduceLROnPlateau's patience).</summary>
    public int PlateauPatience { get; init; } = 10;

    internal void Validate(string path)
    {
        ConfigException.Require(Epochs is >= 1 and <= 100_000, $"{path}.epochs", Epochs, "1 to 100000");
        ConfigException.Require(Enum.IsDefined(Kind), $"{path}.kind", Kind, "oneCycle, cosine, multiStep, step, plateau or constant");
        ConfigException.Require(WarmupEpochs >= 0 && double.IsFinite(WarmupEpochs), $"{path}.warmupEpochs", WarmupEpochs, "0 or more");
        ConfigException.Require(StepEpochs is not null && StepEpochs.All(e => e > 0 && double.IsFinite(e)) && IsAscending(StepEpochs),
            $"{path}.stepEpochs", Show(StepEpochs), "ascending positive epochs");
        ConfigException.Require(StepIterations is not null && StepIterations.All(i => i > 0) && IsAscending(StepIterations.Select(i => (double)i).ToList()),
            $"{path}.stepIterations", Show(StepIterations), "ascending positive step counts");
        ConfigException.Require(StepEpochs!.Count == 0 || StepIterations!.Count == 0, $"{path}.stepIterations", Show(StepIterations),
            $"no iterations when {path}.stepEpochs is given");
        ConfigException.Require(Kind != ScheduleKind.Step || StepEpochs!.Count + StepIterations!.Count > 0, $"{path}.stepEpochs", Show(StepEpochs),
            $"the milestones of the step schedule (or {path}.stepIterations)");
        ConfigException.Require(Gamma is > 0 and <= 1, $"{path}.gamma", Gamma, "in (0, 1]");
        ConfigException.Require(PlateauPatience is >= 0 and <= 100_000, $"{path}.plateauPatience", PlateauPatience, "0 to 100000");
    }

    private static bool IsAscending(IReadOnlyList<double> values) => values.Zip(values.Skip(1)).All(p => p.First < p.Second);

    private static string Show<T>(IReadOnlyList<T>? values) =>
        values is null ? "null" : $"[{string.Join(", ", values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>The dtype and layout convolutions and linear layers compute in.</summary>
public sealed record PrecisionConfig
{
    /// <summary>Compute precision of convolutions (weights, norms, heads and the loss stay float32).</summary>
    public Precision Compute { get; init; } = Training.Precision.Fp32;

    /// <summary>NHWC memory layout for inputs, activations and convolution weights.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Let cuDNN time its convolution algorithms per shape and keep the fastest (GPU only).</summary>
    public bool CudnnAutotune { get; init; } = true;

    internal void Validate(string path) =>
        ConfigException.Require(Enum.IsDefined(Compute), $"{path}.compute", Compute, "fp32, bf16 or fp16");
}
