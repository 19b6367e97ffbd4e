using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018) as timm's SEModule: global average, 1x1 conv down to
/// channels / ratio (rounded to a multiple of 8), ReLU, 1x1 conv back up, sigmoid gate. Keys fc1.*, fc2.*.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _fc1;
    private readonly Conv2d _fc2;

    /// <param name="channels">Channels of the gated feature map.</param>
    /// <param name="reductionRatio">Channels are divided by this in the bottleneck (16 in SE-ResNet).</param>
    public SqueezeExcitation(int channels, int reductionRatio) : base(nameof(SqueezeExcitation))
    {
        int reduced = ReducedChannels(channels, reductionRatio);
        _fc1 = nn.Conv2d(channels, reduced, 1, bias: true);
        _fc2 = nn.Conv2d(reduced, channels, 1, bias: true);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    /// <summary>Bottleneck width: channels / ratio rounded to the nearest multiple of 8, at least 8 (timm's make_divisible).</summary>
    public static int ReducedChannels(int channels, int reductionRatio)
    {
        const int divisor = 8;
        double value = (double)channels / reductionRatio;
        int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return rounded;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var squeezed = x.mean([2, 3], keepdim: true);
        var gate = InputDtype.Run(_fc2, nn.functional.relu(InputDtype.Run(_fc1, squeezed), inplace: true)).sigmoid_();
        return (x * gate).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void RegisterComponents() { }
}
