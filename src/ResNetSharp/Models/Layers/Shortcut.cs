using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>Builds a block's projection shortcut ("downsample") with the key layout of torchvision or timm.</summary>
internal static class Shortcut
{
    /// <summary>
    /// <see cref="ShortcutKind.Conv1x1"/>: downsample.0 = strided 1x1 conv, downsample.1 = norm (torchvision).
    /// <see cref="ShortcutKind.AvgPoolConv"/>: downsample.0 = 2x2 average pool (identity at stride 1),
    /// downsample.1 = 1x1 conv, downsample.2 = norm (timm's avg_down).
    /// </summary>
    public static Sequential Create(ShortcutKind kind, int inChannels, int outChannels, int stride) => kind switch
    {
        ShortcutKind.Conv1x1 => nn.Sequential(
            ("0", ConvLayers.Conv1x1(inChannels, outChannels, stride)),
            ("1", ConvLayers.Norm(outChannels))),
        ShortcutKind.AvgPoolConv => nn.Sequential(
            ("0", stride == 1
                ? nn.Identity()
                : nn.AvgPool2d(2, stride: stride, ceil_mode: true, count_include_pad: false)),
            ("1", ConvLayers.Conv1x1(inChannels, outChannels)),
            ("2", ConvLayers.Norm(outChannels))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown shortcut kind"),
    };
}
