namespace ResNetSharp.Models;

/// <summary>One convolution of a block and the norm that goes with it, as it will be built.</summary>
/// <param name="Conv">Key of the convolution within its block, e.g. "conv2" or "downsample.0".</param>
/// <param name="Norm">Key of its norm ("bn2"), or null where it has none (a pre-activation projection).</param>
/// <param name="InChannels">Channels coming in.</param>
/// <param name="OutChannels">Channels going out.</param>
/// <param name="Kernel">Square kernel side, 1 or 3; padding is Kernel / 2.</param>
/// <param name="Stride">Spatial stride.</param>
/// <param name="Groups">Convolution groups (ResNeXt cardinality on a bottleneck's 3x3).</param>
/// <param name="NormChannels">
/// Channels the norm sees: the convolution's output in post-activation order, its input in
/// pre-activation order (BN-ReLU-conv).
/// </param>
public sealed record ConvPlan(string Conv, string? Norm, int InChannels, int OutChannels, int Kernel, int Stride, int Groups, int NormChannels)
{
    /// <summary>Zero padding on each side: 1 for a 3x3, 0 for a 1x1, so only the stride changes the size.</summary>
    public int Padding => Kernel / 2;
}

/// <summary>What a block's shortcut is, resolved from the spec's <see cref="ShortcutKind"/> and the block's shape change.</summary>
public enum BlockShortcut
{
    /// <summary>No shortcut: the block is its residual branch (plain networks).</summary>
    None,

    /// <summary>The block's input, unchanged (the block keeps channels and resolution).</summary>
    Identity,

    /// <summary>The input subsampled by the stride and zero-padded to the new channels; no parameters.</summary>
    ZeroPad,

    /// <summary>A strided 1x1 convolution (and a norm in post-activation order).</summary>
    Conv1x1,

    /// <summary>A 2x2 average pool, then a 1x1 convolution (and a norm in post-activation order).</summary>
    AvgPoolConv,
}

/// <summary>One residual block as it will be built.</summary>
/// <param name="Name">State-dict prefix, e.g. "layer2.0".</param>
/// <param name="InChannels">Channels coming in.</param>
/// <param name="OutChannels">Channels going out.</param>
/// <param name="Stride">Spatial stride of the block, 1 or 2; it sits on the 3x3 convolution.</param>
/// <param name="Order">Where the norms and activations sit.</param>
/// <param name="Convolutions">The residual branch's convolutions in order, each with its norm.</param>
/// <param name="Shortcut">What the shortcut is.</param>
/// <param name="ShortcutConvolution">The shortcut's convolution for projections; null otherwise.</param>
/// <param name="DropPathRate">Probability of dropping the residual branch in training.</param>
public sealed record BlockPlan(
    string Name, int InChannels, int OutChannels, int Stride, BlockOrder Order,
    IReadOnlyList<ConvPlan> Convolutions, BlockShortcut Shortcut, ConvPlan? ShortcutConvolution, double DropPathRate)
{
    /// <summary>Channels of the inner convolutions (the 3x3 of a bottleneck).</summary>
    public int InnerWidth => Convolutions[0].OutChannels;
}
