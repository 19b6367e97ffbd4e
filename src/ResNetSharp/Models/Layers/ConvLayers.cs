using TorchSharp;
using TorchSharp.Modules;

namespace ResNetSharp.Models;

/// <summary>The convolutions and norms every block is made of; all convolutions are bias-free before a norm.</summary>
internal static class ConvLayers
{
    public static Conv2d Conv3x3(int inChannels, int outChannels, int stride = 1, int groups = 1) =>
        torch.nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, groups: groups, bias: false);

    public static Conv2d Conv1x1(int inChannels, int outChannels, int stride = 1) =>
        torch.nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);

    /// <summary>The convolution a plan describes.</summary>
    public static Conv2d Create(ConvPlan plan) =>
        torch.nn.Conv2d(plan.InChannels, plan.OutChannels, plan.Kernel, stride: plan.Stride, padding: plan.Padding,
            groups: plan.Groups, bias: false);

    public static BatchNorm2d Norm(int channels) => torch.nn.BatchNorm2d(channels);
}
