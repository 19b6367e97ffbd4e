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
    /// count (norms, biases and squeeze-excitation are left out), from its plan, without building anything.
    /// </summary>
    public static double WeightCount(ResNetSpec spec) => WeightCount(NetworkPlanner.Plan(spec));

    /// <summary>The convolution and classifier weights of a planned network; see <see cref="WeightCount(ResNetSpec)"/>.</summary>
    public static double WeightCount(NetworkPlan plan)
    {
        var spec = plan.Spec;
        double input = spec.InChannels, stem = spec.StemChannels, deep = spec.DeepStemWidth;
        double weights = spec.Stem switch
        {
            StemKind.Cifar => input * stem * 9,
            StemKind.ImageNet => input * stem * 49,
            StemKind.Deep => input * deep * 9 + deep * deep * 9 + deep * stem * 9,
            _ => 0, // a stem added later counts nothing here: still a lower bound
        };
        foreach (var block in plan.Blocks)
            foreach (var conv in block.ShortcutConvolution is { } projection ? block.Convolutions.Append(projection) : block.Convolutions)
                weights += (double)conv.InChannels / conv.Groups * conv.OutChannels * conv.Kernel * conv.Kernel;
        return weights + (double)plan.NumFeatures * spec.NumClasses;
    }

    /// <summary>The plan, if its weights are within <see cref="MaxWeights"/>; an <see cref="ArgumentException"/> naming the spec otherwise.</summary>
    internal static NetworkPlan WithinWeights(NetworkPlan plan)
    {
        double weights = WeightCount(plan);
        return weights <= MaxWeights ? plan
            : throw new ArgumentException(
                $"ResNet spec field 'Depths' [{string.Join(", ", plan.Spec.Depths)}] with widths [{string.Join(", ", plan.Spec.Widths)}] makes {weights:E2} weights; expected at most {MaxWeights:E2}.",
                nameof(plan));
    }
}
