namespace ResNetSharp.Models;

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
/// <param name="NormAfterStem">Whether the stem ends in a norm and activation ("bn1"); not before pre-activation blocks.</param>
/// <param name="NormBeforeHead">Whether a norm and activation ("norm") follow the last stage: pre-activation networks.</param>
public sealed record NetworkPlan(ResNetSpec Spec, int StemReduction, IReadOnlyList<StagePlan> Stages, bool NormAfterStem, bool NormBeforeHead)
{
    /// <summary>State-dict prefix of the norm before the head, when <see cref="NormBeforeHead"/>.</summary>
    public const string HeadNormName = "norm";

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
