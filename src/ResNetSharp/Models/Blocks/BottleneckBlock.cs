using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// 1x1 reduce, 3x3 (grouped for ResNeXt), 1x1 expand (ResNet-50 and deeper). The stride sits on the 3x3
/// convolution (torchvision "v1.5"). Keys conv1, bn1, conv2, bn2, conv3, bn3[, se][, downsample].
/// </summary>
public sealed class BottleneckBlock : ResidualBlock
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;
    private readonly Conv2d _conv3;
    private readonly BatchNorm2d _bn3;

    /// <param name="plan">Channels, stride and drop-path rate of this block.</param>
    /// <param name="spec">The network's spec, for groups, activation, SE and shortcut kind.</param>
    public BottleneckBlock(BlockPlan plan, ResNetSpec spec) : base(nameof(BottleneckBlock), plan, spec.Activation)
    {
        _conv1 = ConvLayers.Conv1x1(plan.InChannels, plan.InnerWidth);
        _bn1 = ConvLayers.Norm(plan.InnerWidth);
        _conv2 = ConvLayers.Conv3x3(plan.InnerWidth, plan.InnerWidth, plan.Stride, spec.Groups);
        _bn2 = ConvLayers.Norm(plan.InnerWidth);
        _conv3 = ConvLayers.Conv1x1(plan.InnerWidth, plan.OutChannels);
        _bn3 = ConvLayers.Norm(plan.OutChannels);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        register_module("conv3", _conv3);
        register_module("bn3", _bn3);
        RegisterTail(spec);
    }

    /// <inheritdoc />
    protected override BatchNorm2d LastNorm => _bn3;

    /// <inheritdoc />
    protected override Tensor ResidualBranch(Tensor x)
    {
        var y = Activate(FeatureMaps.Normed(_bn1, InputDtype.Run(_conv1, x)));
        y = Activate(FeatureMaps.Normed(_bn2, FeatureMaps.Then(y, InputDtype.Run(_conv2, y))));
        return FeatureMaps.Normed(_bn3, FeatureMaps.Then(y, InputDtype.Run(_conv3, y)));
    }
}
