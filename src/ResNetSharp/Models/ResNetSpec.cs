using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace ResNetSharp.Models;

/// <summary>
/// Everything that defines one member of the ResNet family. A named model is an instance of this
/// record in <see cref="ModelCatalog"/>, never a class of its own; <see cref="NetworkPlanner"/> turns it
/// into a per-block plan and <see cref="ResNet"/> instantiates that plan.
/// </summary>
/// <remarks>
/// The stride of a downsampling bottleneck sits on its 3x3 convolution, not on the first 1x1
/// ("ResNet v1.5", as torchvision and timm): about 0.5% more top-1 accuracy for a little more compute.
/// </remarks>
public sealed record ResNetSpec
{
    /// <summary>Basic (two 3x3) or bottleneck (1x1-3x3-1x1) blocks.</summary>
    public required BlockKind Block { get; init; }

    /// <summary>Post-activation (conv-BN-ReLU, ResNet v1) or pre-activation (BN-ReLU-conv, ResNet v2) blocks.</summary>
    public BlockOrder BlockOrder { get; init; } = BlockOrder.PostActivation;

    /// <summary>Number of blocks in each stage, e.g. [3, 4, 6, 3] for ResNet-50.</summary>
    public required ImmutableArray<int> Depths { get; init; }

    /// <summary>
    /// Base width ("planes") of each stage; a stage outputs this times the block expansion
    /// (1 for basic, 4 for bottleneck). torchvision: [64, 128, 256, 512].
    /// </summary>
    public ImmutableArray<int> Widths { get; init; } = [64, 128, 256, 512];

    /// <summary>Groups of the 3x3 convolution in bottlenecks (ResNeXt cardinality); 1 otherwise.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>
    /// Channels per group at the base width 64 (torchvision's width_per_group): the bottleneck's inner width
    /// is floor(planes * BaseWidth / 64) * Groups. 64 for ResNet, 128 for Wide ResNet-50-2, 4 for ResNeXt-50 32x4d.
    /// </summary>
    public int BaseWidth { get; init; } = 64;

    /// <summary>The layers before the first stage.</summary>
    public StemKind Stem { get; init; } = StemKind.ImageNet;

    /// <summary>Channels the stem outputs (the first stage's input); torchvision: 64.</summary>
    public int StemChannels { get; init; } = 64;

    /// <summary>Width of the first two convolutions of a <see cref="StemKind.Deep"/> stem (timm's stem_width: 32).</summary>
    public int DeepStemWidth { get; init; } = 32;

    /// <summary>How shortcuts change shape (<see cref="ShortcutKind.None"/>: a plain network without shortcuts).</summary>
    public ShortcutKind Shortcut { get; init; } = ShortcutKind.Conv1x1;

    /// <summary>Squeeze-and-excitation reduction ratio (16 in SE-ResNet); 0 turns it off.</summary>
    public int SqueezeExcitationRatio { get; init; }

    /// <summary>The non-linearity.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.ReLU;

    /// <summary>
    /// Stochastic depth: the largest probability of dropping a residual branch in training. Block i of n
    /// drops with DropPathRate * i / (n - 1), as timm.
    /// </summary>
    public double DropPathRate { get; init; }

    /// <summary>Start every residual branch's last norm at zero, so each block begins as the identity.</summary>
    public bool ZeroInitLastNorm { get; init; }

    /// <summary>Classifier outputs; 0 builds no classifier (the head returns pooled features).</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Channels of the input image: 3 for RGB, 1 for grayscale.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Channels a block outputs per unit of width: 1 for basic, 4 for bottleneck blocks.</summary>
    [JsonIgnore]
    public int Expansion => BlockKinds.Expansion(Block);

    /// <summary>
    /// Checks every field and throws an <see cref="ArgumentException"/> that names the first bad one,
    /// what it holds and what was expected.
    /// </summary>
    public ResNetSpec Validate()
    {
        if (Depths.IsDefaultOrEmpty)
            throw Invalid(nameof(Depths), "is empty", "one or more stages");
        if (Depths.Any(d => d < 1))
            throw Invalid(nameof(Depths), $"is [{string.Join(", ", Depths)}]", "at least one block in every stage");
        if (Widths.IsDefault || Widths.Length != Depths.Length)
            throw Invalid(nameof(Widths), $"has {(Widths.IsDefault ? 0 : Widths.Length)} entries", $"one per stage ({Depths.Length})");
        if (Widths.Any(w => w < 1))
            throw Invalid(nameof(Widths), $"is [{string.Join(", ", Widths)}]", "positive widths");
        if (Groups < 1)
            throw Invalid(nameof(Groups), $"is {Groups}", "1 or more");
        if (BaseWidth < 1)
            throw Invalid(nameof(BaseWidth), $"is {BaseWidth}", "1 or more");
        if (Block == BlockKind.Basic && (Groups != 1 || BaseWidth != 64))
            throw Invalid(nameof(Groups), $"is {Groups} with base width {BaseWidth}",
                "groups 1 and base width 64 for basic blocks (grouped and wide variants need bottlenecks)");
        if (StemChannels < 1)
            throw Invalid(nameof(StemChannels), $"is {StemChannels}", "1 or more");
        if (Stem == StemKind.Deep && DeepStemWidth < 1)
            throw Invalid(nameof(DeepStemWidth), $"is {DeepStemWidth}", "1 or more");
        if (SqueezeExcitationRatio < 0)
            throw Invalid(nameof(SqueezeExcitationRatio), $"is {SqueezeExcitationRatio}", "0 (off) or a positive reduction ratio");
        if (double.IsNaN(DropPathRate) || DropPathRate < 0 || DropPathRate >= 1)
            throw Invalid(nameof(DropPathRate), $"is {DropPathRate}", "a probability in [0, 1)");
        if (NumClasses < 0)
            throw Invalid(nameof(NumClasses), $"is {NumClasses}", "0 (no classifier) or more");
        if (InChannels < 1)
            throw Invalid(nameof(InChannels), $"is {InChannels}", "1 or more");
        foreach (var kind in new Enum[] { Block, BlockOrder, Stem, Shortcut, Activation })
            if (!Enum.IsDefined(kind.GetType(), kind))
                throw Invalid(kind.GetType().Name, $"is {kind}", string.Join(", ", Enum.GetNames(kind.GetType())));
        return CheckLimits();
    }

    /// <summary>
    /// The <see cref="SpecLimits"/> checks of single fields: sizes that no ResNet needs are refused before anything
    /// is built (the planner then checks the total weights).
    /// </summary>
    private ResNetSpec CheckLimits()
    {
        if (Depths.Length > SpecLimits.MaxStages)
            throw Invalid(nameof(Depths), $"has {Depths.Length} stages", $"at most {SpecLimits.MaxStages}");
        if (Depths.Any(d => d > SpecLimits.MaxBlocksPerStage))
            throw Invalid(nameof(Depths), $"is [{string.Join(", ", Depths)}]", $"at most {SpecLimits.MaxBlocksPerStage} blocks per stage");
        if (BlockKinds.WidestChannels(this, Widths.Max()) > SpecLimits.MaxChannels || Groups > SpecLimits.MaxChannels || BaseWidth > SpecLimits.MaxChannels)
            throw Invalid(nameof(Widths), $"is [{string.Join(", ", Widths)}] with groups {Groups} and base width {BaseWidth}",
                $"layers of at most {SpecLimits.MaxChannels} channels");
        if (StemChannels > SpecLimits.MaxChannels)
            throw Invalid(nameof(StemChannels), $"is {StemChannels}", $"at most {SpecLimits.MaxChannels}");
        if (DeepStemWidth > SpecLimits.MaxChannels)
            throw Invalid(nameof(DeepStemWidth), $"is {DeepStemWidth}", $"at most {SpecLimits.MaxChannels}");
        if (NumClasses > SpecLimits.MaxClasses)
            throw Invalid(nameof(NumClasses), $"is {NumClasses}", $"at most {SpecLimits.MaxClasses}");
        if (InChannels > SpecLimits.MaxInChannels)
            throw Invalid(nameof(InChannels), $"is {InChannels}", $"at most {SpecLimits.MaxInChannels}");
        return this;
    }

    private static ArgumentException Invalid(string field, string found, string expected) =>
        new($"ResNet spec field '{field}' {found}; expected {expected}.", field);

    /// <inheritdoc />
    public bool Equals(ResNetSpec? other) =>
        other is not null
        && Block == other.Block && BlockOrder == other.BlockOrder && Depths.SequenceEqual(other.Depths) && Widths.SequenceEqual(other.Widths)
        && Groups == other.Groups && BaseWidth == other.BaseWidth && Stem == other.Stem
        && StemChannels == other.StemChannels && DeepStemWidth == other.DeepStemWidth
        && Shortcut == other.Shortcut && SqueezeExcitationRatio == other.SqueezeExcitationRatio
        && Activation == other.Activation && DropPathRate.Equals(other.DropPathRate)
        && ZeroInitLastNorm == other.ZeroInitLastNorm && NumClasses == other.NumClasses
        && InChannels == other.InChannels;

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Block, BlockOrder, string.Join(",", Depths), string.Join(",", Widths), Groups, BaseWidth, Stem, HashCode.Combine(Shortcut, NumClasses, InChannels));
}
