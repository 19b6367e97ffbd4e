namespace ResNetSharp.Models;

/// <summary>Turns a <see cref="ResNetSpec"/> into a <see cref="NetworkPlan"/>; pure, allocates no tensors.</summary>
public static class NetworkPlanner
{
    /// <summary>Validates the spec and resolves every block's convolutions, shortcut, stride and drop-path rate; a plan of more than <see cref="SpecLimits.MaxWeights"/> weights is refused.</summary>
    public static NetworkPlan Plan(ResNetSpec spec)
    {
        spec.Validate();
        int totalBlocks = spec.Depths.Sum();
        int blockIndex = 0;
        int inChannels = spec.StemChannels;
        int stemReduction = spec.Stem == StemKind.Cifar ? 1 : 4;
        int reduction = stemReduction;
        var stages = new List<StagePlan>(spec.Depths.Length);

        for (int stage = 0; stage < spec.Depths.Length; stage++)
        {
            int planes = spec.Widths[stage];
            int stageStride = stage == 0 ? 1 : 2;
            reduction *= stageStride;
            string stageName = $"layer{stage + 1}";
            var blocks = new List<BlockPlan>(spec.Depths[stage]);

            for (int i = 0; i < spec.Depths[stage]; i++)
            {
                int stride = i == 0 ? stageStride : 1;
                string name = $"{stageName}.{i}";
                var convolutions = BlockKinds.Convolutions(spec, planes, inChannels, stride);
                int outChannels = convolutions[^1].OutChannels;
                var (shortcut, projection) = PlanShortcut(spec, name, inChannels, outChannels, stride);
                double dropPath = totalBlocks > 1 ? spec.DropPathRate * blockIndex / (totalBlocks - 1) : 0;
                blocks.Add(new BlockPlan(name, inChannels, outChannels, stride, spec.BlockOrder, convolutions, shortcut, projection, dropPath));
                inChannels = outChannels;
                blockIndex++;
            }
            stages.Add(new StagePlan(stageName, blocks, reduction));
        }
        return SpecLimits.WithinWeights(new NetworkPlan(spec, stemReduction, stages,
            BlockOrders.NormAfterStem(spec.BlockOrder), BlockOrders.NormBeforeHead(spec.BlockOrder)));
    }

    /// <summary>
    /// The shortcut of one block: none in plain networks, the identity where the shape stays, otherwise the
    /// spec's kind. Projections keep torchvision's keys (downsample.0 conv, .1 norm) or timm's avg-down
    /// keys (.0 pool, .1 conv, .2 norm); pre-activation projections have no norm, as timm's resnetv2.
    /// </summary>
    private static (BlockShortcut Kind, ConvPlan? Projection) PlanShortcut(ResNetSpec spec, string block, int inChannels, int outChannels, int stride)
    {
        bool changesShape = stride != 1 || inChannels != outChannels;
        string? Norm(string key) => BlockOrders.ProjectionHasNorm(spec.BlockOrder) ? key : null;
        return spec.Shortcut switch
        {
            ShortcutKind.None => (BlockShortcut.None, null),
            _ when !changesShape => (BlockShortcut.Identity, null),
            ShortcutKind.Conv1x1 => (BlockShortcut.Conv1x1,
                new ConvPlan("downsample.0", Norm("downsample.1"), inChannels, outChannels, 1, stride, 1, outChannels)),
            ShortcutKind.AvgPoolConv => (BlockShortcut.AvgPoolConv,
                new ConvPlan("downsample.1", Norm("downsample.2"), inChannels, outChannels, 1, 1, 1, outChannels)),
            ShortcutKind.ZeroPad when outChannels < inChannels => throw new ArgumentException(
                $"ResNet spec field 'Shortcut' is zeroPad, but block {block} goes from {inChannels} to {outChannels} channels; " +
                "expected every block to keep or add channels (zero-padding cannot remove any; use conv1x1).", nameof(spec)),
            ShortcutKind.ZeroPad => (BlockShortcut.ZeroPad, null),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Shortcut, "unknown shortcut kind"),
        };
    }
}
