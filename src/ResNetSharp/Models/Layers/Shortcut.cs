using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>Builds and applies a block's shortcut as its <see cref="BlockPlan"/> says.</summary>
internal static class Shortcut
{
    /// <summary>Key of the projection module, as torchvision and timm name it.</summary>
    public const string ModuleName = "downsample";

    /// <summary>
    /// The projection ("downsample"), or null for shortcuts without parameters.
    /// <see cref="BlockShortcut.Conv1x1"/>: downsample.0 = strided 1x1 conv, downsample.1 = norm (torchvision).
    /// <see cref="BlockShortcut.AvgPoolConv"/>: downsample.0 = 2x2 average pool (identity at stride 1),
    /// downsample.1 = 1x1 conv, downsample.2 = norm (timm's avg_down). Pre-activation projections have no norm.
    /// </summary>
    public static Sequential? CreateProjection(BlockPlan plan)
    {
        switch (plan.Shortcut)
        {
            case BlockShortcut.None or BlockShortcut.Identity or BlockShortcut.ZeroPad:
                return null;
            case BlockShortcut.Conv1x1:
                return nn.Sequential(ConvAndNorm(plan.ShortcutConvolution!));
            case BlockShortcut.AvgPoolConv:
                nn.Module<Tensor, Tensor> pool = plan.Stride == 1
                    ? nn.Identity()
                    : nn.AvgPool2d(2, stride: plan.Stride, ceil_mode: true, count_include_pad: false);
                return nn.Sequential([("0", pool), .. ConvAndNorm(plan.ShortcutConvolution!)]);
            default:
                throw Unknown(plan.Shortcut);
        }
    }

    /// <summary>
    /// The shortcut's output for <paramref name="x"/> (the block's input, or its pre-activation), or null for
    /// none. The identity returns <paramref name="x"/> itself; anything else is a new tensor.
    /// </summary>
    public static Tensor? Apply(BlockPlan plan, Sequential? projection, Tensor x) => plan.Shortcut switch
    {
        BlockShortcut.None => null,
        BlockShortcut.Identity => x,
        BlockShortcut.ZeroPad => SubsampleAndPad(x, plan.Stride, plan.OutChannels - plan.InChannels),
        BlockShortcut.Conv1x1 or BlockShortcut.AvgPoolConv => InputDtype.Run(projection!, x),
        _ => throw Unknown(plan.Shortcut),
    };

    /// <summary>x[:, :, ::stride, ::stride] with <paramref name="extraChannels"/> zero channels, half before and half after.</summary>
    private static Tensor SubsampleAndPad(Tensor x, int stride, int extraChannels)
    {
        if (stride == 1 && extraChannels == 0)
            return x;
        using var scope = NewDisposeScope();
        var subsampled = stride == 1 ? x : x.slice(2, 0, x.shape[2], stride).slice(3, 0, x.shape[3], stride);
        int before = extraChannels / 2;
        var padded = extraChannels == 0 ? subsampled : nn.functional.pad(subsampled, [0, 0, 0, 0, before, extraChannels - before]);
        return padded.MoveToOuterDisposeScope();
    }

    private static (string, nn.Module<Tensor, Tensor>)[] ConvAndNorm(ConvPlan conv) =>
        conv.Norm is null
            ? [(Local(conv.Conv), ConvLayers.Create(conv))]
            : [(Local(conv.Conv), ConvLayers.Create(conv)), (Local(conv.Norm), ConvLayers.Norm(conv.NormChannels))];

    /// <summary>"downsample.1" to "1": the key inside the projection module.</summary>
    private static string Local(string key) => key[(key.IndexOf('.') + 1)..];

    private static ArgumentOutOfRangeException Unknown(BlockShortcut kind) =>
        new(nameof(kind), kind, "unknown block shortcut");
}
