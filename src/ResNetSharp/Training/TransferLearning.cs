using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Starting from pretrained weights: a new classifier, frozen parts, progressive unfreezing.</summary>
public static class TransferLearning
{
    /// <summary>Alias for every part but the classifier.</summary>
    public const string Backbone = "backbone";

    /// <summary>
    /// Loads a backbone from <paramref name="path"/>. The file's classifier is dropped when its shape
    /// differs from the model's (new classes) and the model keeps its freshly initialised one; every
    /// other tensor must match exactly, or nothing is loaded. Returns what happened, for the log.
    /// </summary>
    public static string LoadInitialWeights(ResNet model, string path)
    {
        var (tensors, _) = WeightFile.Load(path, WeightLoader.LimitsFor(model));
        try
        {
            var modelShapes = StateDictOrder.Entries(model).ToDictionary(e => e.Name, e => e.Tensor.shape);
            bool IsReplacedClassifier((string Name, Tensor Tensor) t) =>
                ResNet.PartOf(WeightLoader.MapName(t.Name)) == "fc"
                && (!modelShapes.TryGetValue(WeightLoader.MapName(t.Name), out var shape) || !shape.SequenceEqual(t.Tensor.shape));
            var replaced = tensors.Where(IsReplacedClassifier).ToList();
            var report = WeightLoader.Load(model, tensors.Where(t => !IsReplacedClassifier(t)), path, strict: false);
            var missingOutsideHead = report.Missing.Where(n => !(replaced.Count > 0 && ResNet.PartOf(n) == "fc")).ToList();
            if (missingOutsideHead.Count > 0 || report.Unexpected.Count > 0 || report.ShapeMismatches.Count > 0)
                throw new WeightLoadException(path, report with { Missing = missingOutsideHead });
            return replaced.Count > 0
                ? $"loaded {report.Loaded.Count} tensors from {path}; classifier replaced ({string.Join(", ", replaced.Select(r => $"{r.Name} [{string.Join("x", r.Tensor.shape)}]"))} not used)"
                : $"loaded {report.Loaded.Count} tensors from {path}, classifier included";
        }
        finally
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
        }
    }

    /// <summary>The parts a freeze list names, with "backbone" expanded.</summary>
    public static IReadOnlyList<string> Expand(ResNet model, IReadOnlyList<string> parts) =>
        parts.SelectMany(p => p == Backbone ? model.PartNames.Where(n => n != "fc") : [p]).Distinct().ToList();

    /// <summary>Throws an <see cref="ArgumentException"/> naming any part the model does not have.</summary>
    public static void CheckParts(ResNet model, IReadOnlyList<string> parts)
    {
        var unknown = parts.Where(p => p != Backbone && !model.PartNames.Contains(p)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException(
                $"--freeze: unknown part(s) {string.Join(", ", unknown)}; expected {Backbone} or any of {string.Join(", ", model.PartNames)}.", nameof(parts));
    }

    /// <summary>Freezes the configured parts before <see cref="TrainingConfig.UnfreezeAtEpoch"/>, and trains everything from it on.</summary>
    public static bool ApplyFreeze(ResNet model, TrainingConfig config, int epoch)
    {
        if (config.Freeze.Count == 0)
            return false;
        bool frozen = config.UnfreezeAtEpoch == 0 || epoch < config.UnfreezeAtEpoch;
        model.SetTrainable(true, [.. model.PartNames]);
        if (frozen)
            model.SetTrainable(false, [.. Expand(model, config.Freeze)]);
        return frozen;
    }

    /// <summary>1 for the classifier, <see cref="TrainingConfig.BackboneLearningRateScale"/> for the rest.</summary>
    public static Func<string, double>? LearningRateScale(TrainingConfig config) =>
        config.BackboneLearningRateScale == 1.0 ? null : name => ResNet.PartOf(name) == "fc" ? 1.0 : config.BackboneLearningRateScale;
}
