using ResNetSharp.Common;

namespace ResNetSharp.Models;

/// <summary>
/// The named members of the ResNet family. Each is a <see cref="ResNetSpec"/>; names and parameter
/// counts follow torchvision, timm for the variants torchvision lacks (resnet50d, seresnet50, and the
/// pre-activation networks as its resnetv2), and He et al. 2016 for the CIFAR networks (resnet20 ... resnet110).
/// </summary>
public static class ModelCatalog
{
    private static readonly ResNetSpec Basic = new() { Block = BlockKind.Basic, Depths = [2, 2, 2, 2] };
    private static readonly ResNetSpec Bottleneck = new() { Block = BlockKind.Bottleneck, Depths = [3, 4, 6, 3] };

    // He et al. 2016, section 4.2: 6n + 2 layers, three stages of n basic blocks at 16, 32 and 64 channels,
    // parameter-free (option A) shortcuts; the plain twins drop the shortcuts and keep every layer.
    private static readonly ResNetSpec CifarPaper = new()
    {
        Block = BlockKind.Basic, Depths = [3, 3, 3], Widths = [16, 32, 64], Stem = StemKind.Cifar, StemChannels = 16,
        Shortcut = ShortcutKind.ZeroPad, NumClasses = 10,
    };

    private static ResNetSpec CifarPaperDepth(int layers, ShortcutKind shortcut)
    {
        int n = (layers - 2) / 6;
        return CifarPaper with { Depths = [n, n, n], Shortcut = shortcut };
    }

    private static ResNetSpec PreActivation(ResNetSpec spec) => spec with { BlockOrder = BlockOrder.PreActivation };

    private static readonly Dictionary<string, ResNetSpec> Specs = new(StringComparer.Ordinal)
    {
        ["resnet18"] = Basic,
        ["resnet34"] = Basic with { Depths = [3, 4, 6, 3] },
        ["resnet50"] = Bottleneck,
        ["resnet101"] = Bottleneck with { Depths = [3, 4, 23, 3] },
        ["resnet152"] = Bottleneck with { Depths = [3, 8, 36, 3] },
        ["wide_resnet50_2"] = Bottleneck with { BaseWidth = 128 },
        ["wide_resnet101_2"] = Bottleneck with { Depths = [3, 4, 23, 3], BaseWidth = 128 },
        ["resnext50_32x4d"] = Bottleneck with { Groups = 32, BaseWidth = 4 },
        ["resnext101_32x8d"] = Bottleneck with { Depths = [3, 4, 23, 3], Groups = 32, BaseWidth = 8 },
        ["resnext101_64x4d"] = Bottleneck with { Depths = [3, 4, 23, 3], Groups = 64, BaseWidth = 4 },
        // timm zero-initialises the last norm of each block by default; its variants follow it.
        ["resnet50d"] = Bottleneck with { Stem = StemKind.Deep, Shortcut = ShortcutKind.AvgPoolConv, ZeroInitLastNorm = true },
        ["seresnet50"] = Bottleneck with { SqueezeExcitationRatio = 16, ZeroInitLastNorm = true },
        ["resnet18_cifar"] = Basic with { Stem = StemKind.Cifar, NumClasses = 10 },
        ["resnet34_cifar"] = Basic with { Depths = [3, 4, 6, 3], Stem = StemKind.Cifar, NumClasses = 10 },
        ["resnet50_cifar"] = Bottleneck with { Stem = StemKind.Cifar, NumClasses = 10 },
        // The CPU training recipe's network (TrainingRecipe.Cpu): one basic block per stage, an eighth of resnet18's width.
        ["resnet10_cifar_w8"] = Basic with { Depths = [1, 1, 1, 1], Widths = [8, 16, 32, 64], StemChannels = 8, Stem = StemKind.Cifar, NumClasses = 10 },
        ["resnet20"] = CifarPaperDepth(20, ShortcutKind.ZeroPad),
        ["resnet32"] = CifarPaperDepth(32, ShortcutKind.ZeroPad),
        ["resnet44"] = CifarPaperDepth(44, ShortcutKind.ZeroPad),
        ["resnet56"] = CifarPaperDepth(56, ShortcutKind.ZeroPad),
        ["resnet110"] = CifarPaperDepth(110, ShortcutKind.ZeroPad),
        ["plain20"] = CifarPaperDepth(20, ShortcutKind.None),
        ["plain32"] = CifarPaperDepth(32, ShortcutKind.None),
        ["plain44"] = CifarPaperDepth(44, ShortcutKind.None),
        ["plain56"] = CifarPaperDepth(56, ShortcutKind.None),
        ["plain110"] = CifarPaperDepth(110, ShortcutKind.None),
        ["preact_resnet18"] = PreActivation(Basic),
        ["preact_resnet34"] = PreActivation(Basic with { Depths = [3, 4, 6, 3] }),
        ["preact_resnet50"] = PreActivation(Bottleneck),
        ["preact_resnet18_cifar"] = PreActivation(Basic with { Stem = StemKind.Cifar, NumClasses = 10 }),
        ["preact_resnet34_cifar"] = PreActivation(Basic with { Depths = [3, 4, 6, 3], Stem = StemKind.Cifar, NumClasses = 10 }),
        ["preact_resnet50_cifar"] = PreActivation(Bottleneck with { Stem = StemKind.Cifar, NumClasses = 10 }),
    };

    /// <summary>All catalog names, in catalog order.</summary>
    public static IReadOnlyList<string> Names { get; } = Specs.Keys.ToList();

    /// <summary>Whether <paramref name="name"/> is a catalog entry.</summary>
    public static bool Contains(string name) => Specs.ContainsKey(name);

    /// <summary>
    /// The spec of a named model. Unknown names throw a <see cref="KeyNotFoundException"/> that lists
    /// the closest names.
    /// </summary>
    public static ResNetSpec Get(string name)
    {
        if (Specs.TryGetValue(name, out var spec))
            return spec;
        var close = CloseMatches.Find(name, Names);
        string hint = close.Count > 0
            ? $"did you mean {string.Join(", ", close)}?"
            : $"known models: {string.Join(", ", Names)}.";
        throw new KeyNotFoundException($"Unknown model '{name}'; {hint}");
    }

    /// <summary>Builds a named model, optionally with another number of classes or input channels.</summary>
    public static ResNet Create(string name, int? numClasses = null, int? inChannels = null)
    {
        var spec = Get(name);
        spec = spec with
        {
            NumClasses = numClasses ?? spec.NumClasses,
            InChannels = inChannels ?? spec.InChannels,
        };
        return new ResNet(spec);
    }
}
