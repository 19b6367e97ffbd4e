namespace ResNetSharp.Models;

/// <summary>One residual block as it will be built.</summary>
/// <param name="Name">State-dict prefix, e.g. "layer2.0".</param>
/// <param name="InChannels">Channels coming in.</param>
/// <param name="InnerWidth">Channels of the inner convolutions (the 3x3 of a bottleneck).</param>
/// <param name="OutChannels">Channels going out.</param>
/// <param name="Stride">Spatial stride of the block, 1 or 2; it sits on the 3x3 convolution.</param>
/// <param name="HasShortcutProjection">Whether the shortcut needs a projection (channels or stride change).</param>
/// <param name="DropPathRate">Probability of dropping the residual branch in training.</param>
public sealed record BlockPlan(
    string Name, int InChannels, int InnerWidth, int OutChannels, int Stride,
    bool HasShortcutProjection, double DropPathRate);

/// <summary>One stage: a run of blocks at one resolution.</summary>
/// <param name="Name">State-dict prefix, "layer1" to "layerN".</param>
/// <param name="Blocks">The blocks in order.</param>
/// <param name="Reduction">Total stride from the input image to this stage's output.</param>
public sealed record StagePlan(string Name, IReadOnlyList<BlockPlan> Blocks, int Reduction)
{
    /// <summary>Channels this stage outputs.</summary>
    public int OutChannels => Blocks[^1].OutChannels;
}

/// <summary>Channels and stride of a feature map a backbone exposes (as timm's feature_info).</summary>
/// <param name="Module">Name of the module producing it, e.g. "layer3".</param>
/// <param name="Channels">Channels of the feature map.</param>
/// <param name="Reduction">Total stride relative to the input image.</param>
public sealed record FeatureInfo(string Module, int Channels, int Reduction);

/// <summary>A spec resolved into blocks: everything needed to build or analyse a network, without tensors.</summary>
/// <param name="Spec">The spec this plan was made from.</param>
/// <param name="StemReduction">Total stride of the stem: 4 for ImageNet and deep stems, 1 for CIFAR.</param>
/// <param name="Stages">The stages in order.</param>
public sealed record NetworkPlan(ResNetSpec Spec, int StemReduction, IReadOnlyList<StagePlan> Stages)
{
    /// <summary>Channels of the last stage: the width of the pooled embedding.</summary>
    public int NumFeatures => Stages[^1].OutChannels;

    /// <summary>Total stride of the whole backbone.</summary>
    public int OutputStride => Stages[^1].Reduction;

    /// <summary>One entry per stage output, in order.</summary>
    public IReadOnlyList<FeatureInfo> FeatureInfo =>
        Stages.Select(s => new FeatureInfo(s.Name, s.OutChannels, s.Reduction)).ToList();

    /// <summary>All blocks of all stages, in order.</summary>
    public IEnumerable<BlockPlan> Blocks => Stages.SelectMany(s => s.Blocks);
}
