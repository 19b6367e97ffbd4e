namespace ResNetSharp.Models;

/// <summary>
/// The largest network a <see cref="ResNetSpec"/> may describe. Specs come from files (JSON, weights
/// metadata) as well as code, so a spec is checked against these before anything is allocated: the
/// largest ResNets published (ResNet-1001, Wide ResNets, BiT-R152x4) sit far inside them.
/// </summary>
public static class SpecLimits
{
    /// <summary>Stages.</summary>
    public const int MaxStages = 8;

    /// <summary>Blocks in one stage (ResNet-1202 for CIFAR has 200).</summary>
    public const int MaxBlocksPerStage = 1000;

    /// <summary>Channels of any layer: stem, stage outputs (width times expansion), bottleneck inner widths.</summary>
    public const int MaxChannels = 1 << 16;

    /// <summary>Classifier outputs.</summary>
    public const int MaxClasses = 1_000_000;

    /// <summary>Input channels (RGB is 3; hyperspectral images have a few hundred).</summary>
    public const int MaxInChannels = 1024;

    /// <summary>Convolution and classifier weights together (8 GB as float32).</summary>
    public const long MaxWeights = 2_000_000_000;

    /// <summary>
    /// The number of convolution and classifier weights the spec builds: a lower bound of its parameter
    /// count (norms, biases and squeeze-excitation are left out), computed without building anything.
    /// Fields are not validated here; the result is a double so that no size overflows.
    /// </summary>
    public static double WeightCount(ResNetSpec spec)
    {
        double input = spec.InChannels, stem = spec.StemChannels, deep = spec.DeepStemWidth;
        double weights = spec.Stem switch
        {
            StemKind.Cifar => input * stem * 9,
            StemKind.ImageNet => input * stem * 49,
            StemKind.Deep => input * deep * 9 + deep * deep * 9 + deep * stem * 9,
            _ => 0, // a kind added later counts nothing: still a lower bound
        };
        double inChannels = stem;
        for (int stage = 0; stage < spec.Depths.Length; stage++)
        {
            double planes = stage < spec.Widths.Length ? spec.Widths[stage] : 0;
            double outChannels = planes * spec.Expansion;
            double inner = spec.Block == BlockKind.Basic ? planes : Math.Floor(planes * spec.BaseWidth / 64.0) * spec.Groups;
            for (int i = 0; i < spec.Depths[stage]; i++)
            {
                weights += spec.Block switch
                {
                    BlockKind.Basic => inChannels * inner * 9 + inner * outChannels * 9,
                    BlockKind.Bottleneck => inChannels * inner + inner * inner / Math.Max(spec.Groups, 1) * 9 + inner * outChannels,
                    _ => 0,
                };
                if (i == 0 && (stage > 0 || inChannels != outChannels))
                    weights += inChannels * outChannels;
                inChannels = outChannels;
            }
        }
        return weights + inChannels * spec.NumClasses;
    }
}
