using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>Two 3x3 convolutions (ResNet-18/34). Keys conv1, bn1, conv2, bn2[, se][, downsample].</summary>
public sealed class BasicBlock : ResidualBlock
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;

    /// <param name="plan">Channels, stride and drop-path rate of this block.</param>
    /// <param name="spec">The network's spec, for activation, SE and shortcut kind.</param>
    public BasicBlock(BlockPlan plan, ResNetSpec spec) : base(nameof(BasicBlock), plan, spec.Activation)
    {
        _conv1 = ConvLayers.Conv3x3(plan.InChannels, plan.InnerWidth, plan.Stride);
        _bn1 = ConvLayers.Norm(plan.InnerWidth);
        _conv2 = ConvLayers.Conv3x3(plan.InnerWidth, plan.OutChannels);
        _bn2 = ConvLayers.Norm(plan.OutChannels);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        RegisterTail(spec);
    }

    /// <inheritdoc />
    protected override BatchNorm2d LastNorm => _bn2;

    /// <inheritdoc />
    protected override Tensor ResidualBranch(Tensor x)
    {
        var y = Activate(FeatureMaps.Normed(_bn1, InputDtype.Run(_conv1, x)));
        return FeatureMaps.Normed(_bn2, FeatureMaps.Then(y, InputDtype.Run(_conv2, y)));
    }
}
