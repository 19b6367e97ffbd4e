namespace ResNetSharp.Models;

/// <summary>
/// The one place that knows what each <see cref="BlockKind"/> is made of. The builder, MACs, summary and
/// ONNX export read the resulting <see cref="ConvPlan"/>s, so a new kind is added here and nowhere
/// else; every switch throws on a kind it does not know rather than treating it as another.
/// </summary>
public static class BlockKinds
{
    /// <summary>Channels a block outputs per unit of width: 1 for basic, 4 for bottleneck blocks.</summary>
    public static int Expansion(BlockKind kind) => kind switch
    {
        BlockKind.Basic => 1,
        BlockKind.Bottleneck => 4,
        _ => throw Unknown(kind),
    };

    /// <summary>
    /// The residual branch of one block with torchvision's keys: basic is conv1 3x3 (strided), conv2 3x3;
    /// bottleneck is conv1 1x1, conv2 3x3 (strided, grouped: "ResNet v1.5"), conv3 1x1 with inner width
    /// floor(planes * BaseWidth / 64) * Groups.
    /// </summary>
    /// <param name="spec">Block kind, order, groups and base width.</param>
    /// <param name="planes">The stage's base width.</param>
    /// <param name="inChannels">Channels into the block.</param>
    /// <param name="stride">The block's stride.</param>
    public static IReadOnlyList<ConvPlan> Convolutions(ResNetSpec spec, int planes, int inChannels, int stride)
    {
        int outChannels = planes * Expansion(spec.Block);
        ConvPlan Layer(int index, int cin, int cout, int kernel, int layerStride, int groups = 1) =>
            new($"conv{index}", $"bn{index}", cin, cout, kernel, layerStride, groups, NormChannels(spec.BlockOrder, cin, cout));
        switch (spec.Block)
        {
            case BlockKind.Basic:
                return [Layer(1, inChannels, planes, 3, stride), Layer(2, planes, outChannels, 3, 1)];
            case BlockKind.Bottleneck:
                int inner = checked((int)BottleneckWidth(spec, planes));
                return
                [
                    Layer(1, inChannels, inner, 1, 1),
                    Layer(2, inner, inner, 3, stride, spec.Groups),
                    Layer(3, inner, outChannels, 1, 1),
                ];
            default:
                throw Unknown(spec.Block);
        }
    }

    /// <summary>
    /// The most channels any layer of a block with base width <paramref name="planes"/> has: its output
    /// (planes times the expansion) or, for a bottleneck, its grouped inner width if that is wider. In
    /// 64-bit arithmetic, so that a spec can be checked against <see cref="SpecLimits.MaxChannels"/> before anything overflows.
    /// </summary>
    public static long WidestChannels(ResNetSpec spec, long planes) => spec.Block switch
    {
        BlockKind.Basic => planes * Expansion(spec.Block),
        BlockKind.Bottleneck => Math.Max(planes * Expansion(spec.Block), BottleneckWidth(spec, planes)),
        _ => throw Unknown(spec.Block),
    };

    /// <summary>A bottleneck's inner width: floor(planes * BaseWidth / 64) * Groups.</summary>
    private static long BottleneckWidth(ResNetSpec spec, long planes) => (long)Math.Floor(planes * (spec.BaseWidth / 64.0)) * spec.Groups;

    /// <summary>The block's name in summaries and module names: BasicBlock, BottleneckBlock, PreActBasicBlock, PreActBottleneckBlock.</summary>
    public static string DisplayName(BlockKind kind, BlockOrder order)
    {
        string name = kind switch
        {
            BlockKind.Basic => "BasicBlock",
            BlockKind.Bottleneck => "BottleneckBlock",
            _ => throw Unknown(kind),
        };
        return order switch
        {
            BlockOrder.PostActivation => name,
            BlockOrder.PreActivation => "PreAct" + name,
            _ => throw BlockOrders.Unknown(order),
        };
    }

    private static int NormChannels(BlockOrder order, int inChannels, int outChannels) => order switch
    {
        BlockOrder.PostActivation => outChannels,
        BlockOrder.PreActivation => inChannels,
        _ => throw BlockOrders.Unknown(order),
    };

    private static ArgumentOutOfRangeException Unknown(BlockKind kind) =>
        new(nameof(kind), kind, $"unknown block kind; expected one of {string.Join(", ", Enum.GetNames<BlockKind>())}");
}

/// <summary>What the <see cref="BlockOrder"/> decides outside the blocks: where the network's own norms sit.</summary>
public static class BlockOrders
{
    /// <summary>Whether the stem ends in a norm and activation: yes for post-activation, no for pre-activation (the first block normalises).</summary>
    public static bool NormAfterStem(BlockOrder order) => order switch
    {
        BlockOrder.PostActivation => true,
        BlockOrder.PreActivation => false,
        _ => throw Unknown(order),
    };

    /// <summary>Whether a norm and activation follow the last stage: only pre-activation blocks leave their sum unnormalised.</summary>
    public static bool NormBeforeHead(BlockOrder order) => !NormAfterStem(order);

    /// <summary>Whether a projection shortcut ends in a norm: its input is already normalised in pre-activation order.</summary>
    public static bool ProjectionHasNorm(BlockOrder order) => NormAfterStem(order);

    internal static ArgumentOutOfRangeException Unknown(BlockOrder order) =>
        new(nameof(order), order, $"unknown block order; expected one of {string.Join(", ", Enum.GetNames<BlockOrder>())}");
}
