using ResNetSharp.Imaging;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// Real values: a linear layer to k outputs whose results are in the targets' own units (its layer holds
/// the training set's per-output mean and standard deviation as buffers and restores them, so prediction,
/// evaluation and ONNX export need nothing else). The loss compares standardised outputs and targets,
/// so a target in years and one in metres weigh alike. Targets are float32 (N, k); NaN means no label.
/// </summary>
public sealed class RegressionHead : TaskHead
{
    private readonly double[] _mean;
    private readonly double[] _std;
    private readonly Dictionary<string, (Tensor Mean, Tensor Std)> _constants = [];

    /// <param name="name">Head name.</param>
    /// <param name="mean">Per-output mean of the training targets.</param>
    /// <param name="std">Per-output standard deviation of the training targets (a 0 is taken as 1).</param>
    /// <param name="weight">Weight of its loss.</param>
    public RegressionHead(string name, IReadOnlyList<double> mean, IReadOnlyList<double> std, double weight = 1.0) : base(name, weight)
    {
        if (mean.Count == 0 || mean.Count != std.Count || mean.Concat(std).Any(v => !double.IsFinite(v)) || std.Any(s => s < 0))
            throw new ArgumentException($"regression head '{name}' needs one finite mean and one non-negative std per output.", nameof(std));
        _mean = [.. mean];
        _std = std.Select(s => s > 0 ? s : 1.0).ToArray();
    }

    /// <summary>The loss on standardised values.</summary>
    public RegressionLoss LossKind { get; init; } = RegressionLoss.SmoothL1;

    /// <summary>Per-output mean the outputs are centred on.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Per-output scale of the outputs.</summary>
    public IReadOnlyList<double> Std => _std;

    /// <inheritdoc />
    public override int Outputs => _mean.Length;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> CreateModule(int features) => new RegressionLayer(features, _mean, _std);

    /// <inheritdoc />
    public override Tensor Loss(Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (perValue, labelled) = PerValueLoss(outputs, targets);
        return MaskedMean(perValue, labelled).MoveToOuterDisposeScope();
    }

    /// <summary>The loss of every value (N, k) on standardised outputs and targets, and where a label exists.</summary>
    internal (Tensor Loss, Tensor Labelled) PerValueLoss(Tensor outputs, Tensor targets)
    {
        var (mean, std) = Constants(outputs.device);
        var labelled = targets.isnan().logical_not();
        var z = outputs.sub(mean).div_(std);
        var t = targets.nan_to_num(0).sub(mean).div_(std);
        var loss = LossKind switch
        {
            RegressionLoss.L1 => nn.functional.l1_loss(z, t, nn.Reduction.None),
            RegressionLoss.Mse => nn.functional.mse_loss(z, t, nn.Reduction.None),
            RegressionLoss.SmoothL1 => nn.functional.smooth_l1_loss(z, t, nn.Reduction.None),
            _ => throw new InvalidOperationException($"unknown regression loss {LossKind}"),
        };
        return (loss, labelled);
    }

    /// <inheritdoc />
    public override HeadMetrics CreateMetrics(Device device) => new RegressionMetrics(this, device);

    /// <inheritdoc />
    public override HeadDescription Describe() =>
        new(Name, HeadDescription.RegressionKind, Outputs) { Loss = ConfigJson.Options.PropertyNamingPolicy!.ConvertName(LossKind.ToString()), Weight = Weight, Column = Column == Name ? null : Column };

    /// <summary>Mean and std as (1, k) tensors on <paramref name="device"/>, made once per device (filled there, no host copy per step).</summary>
    private (Tensor Mean, Tensor Std) Constants(Device device)
    {
        string key = device.ToString();
        lock (_constants)
        {
            if (!_constants.TryGetValue(key, out var constants))
            {
                Tensor Row(double[] values)
                {
                    using var scope = NewDisposeScope();
                    return cat(values.Select(v => full(1, (float)v, ScalarType.Float32, device)).ToArray()).view(1, -1).MoveToOuterDisposeScope().DetachFromDisposeScope();
                }
                constants = (Row(_mean), Row(_std));
                _constants[key] = constants;
            }
            return constants;
        }
    }

    /// <summary>Standardisation statistics of a (N, k) float32 target tensor over its non-NaN values (mean 0 and std 1 for an output without labels).</summary>
    public static (double[] Mean, double[] Std) Statistics(Tensor targets)
    {
        using var scope = NewDisposeScope();
        var values = targets.to(ScalarType.Float64).cpu();
        var labelled = values.isnan().logical_not();
        var count = labelled.sum(0).ClampMin(1).to(ScalarType.Float64);
        var mean = values.nan_to_num(0).sum(0).div(count);
        var squared = values.sub(mean).nan_to_num(0).square().sum(0).div(count);
        return (mean.to(ScalarType.Float64).data<double>().ToArray(), squared.sqrt().to(ScalarType.Float64).data<double>().ToArray());
    }
}

/// <summary>A linear layer whose outputs are scaled back to the targets' units: fc(x) * std + mean (buffers std and mean).</summary>
internal sealed class RegressionLayer : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly Tensor mean;
    private readonly Tensor std;

    public RegressionLayer(int features, double[] meanValues, double[] stdValues) : base(nameof(RegressionLayer))
    {
        fc = nn.Linear(features, meanValues.Length);
        mean = tensor(meanValues.Select(v => (float)v).ToArray());
        std = tensor(stdValues.Select(v => (float)v).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return fc.call(x).mul(std).AddInPlace(mean).MoveToOuterDisposeScope();
    }
}
