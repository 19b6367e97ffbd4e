using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Starting from pretrained weights: new heads, frozen parts, progressive unfreezing.</summary>
public static class TransferLearning
{
    /// <summary>Alias for every part but the heads.</summary>
    public const string Backbone = "backbone";

    /// <summary>
    /// Loads pretrained weights from <paramref name="path"/>. The backbone must match exactly, or nothing
    /// is loaded. A head loads when the file has it with the same shapes; otherwise it stays freshly
    /// initialised, and the file's own classifier or heads that the network does not use are left out.
    /// Returns what happened, for the log.
    /// </summary>
    public static string LoadInitialWeights(MultiHeadNetwork network, string path)
    {
        var (tensors, _) = WeightFile.Load(path, WeightLoader.LimitsFor(network));
        try
        {
            var shapes = StateDictOrder.Entries(network).ToDictionary(e => e.Name, e => e.Tensor.shape);
            bool IsHead(string name) => network.IsHeadParameter(name) || ResNet.PartOf(name) == "fc";
            bool Unused((string Name, Tensor Tensor) t) =>
                IsHead(WeightLoader.MapName(t.Name)) && (!shapes.TryGetValue(WeightLoader.MapName(t.Name), out var shape) || !shape.SequenceEqual(t.Tensor.shape));
            var unused = tensors.Where(Unused).ToList();
            var report = WeightLoader.Load(network, tensors.Where(t => !Unused(t)), path, strict: false);
            var missingBackbone = report.Missing.Where(n => !network.IsHeadParameter(n)).ToList();
            if (missingBackbone.Count > 0 || report.Unexpected.Count > 0 || report.ShapeMismatches.Count > 0)
                throw new WeightLoadException(path, report with { Missing = missingBackbone });
            var newHeads = report.Missing.Select(n => n.Split('.')[0]).Distinct().ToList();
            return unused.Count > 0 || newHeads.Count > 0
                ? $"loaded {report.Loaded.Count} tensors from {path}; new head(s): {string.Join(", ", newHeads)}" +
                  (unused.Count > 0 ? $" (classifier replaced: {string.Join(", ", unused.Select(r => $"{r.Name} [{string.Join("x", r.Tensor.shape)}]"))} not used)" : "")
                : $"loaded {report.Loaded.Count} tensors from {path}, heads included";
        }
        finally
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
        }
    }

    /// <summary>The parts a freeze list names, with "backbone" expanded to every part but the heads.</summary>
    public static IReadOnlyList<string> Expand(MultiHeadNetwork network, IReadOnlyList<string> parts) =>
        parts.SelectMany(p => p == Backbone ? network.PartNames.Where(n => network.Heads.All(h => h.Name != n)) : [p]).Distinct().ToList();

    /// <summary>Throws a <see cref="ConfigException"/> naming any part the network does not have.</summary>
    public static void CheckParts(MultiHeadNetwork network, IReadOnlyList<string> parts)
    {
        var unknown = parts.Where(p => p != Backbone && !network.PartNames.Contains(p)).ToList();
        if (unknown.Count > 0)
            throw new ConfigException("transfer.freeze", string.Join(", ", unknown), $"{Backbone} or any of {string.Join(", ", network.PartNames)}");
    }

    /// <summary>Freezes the configured parts before <see cref="TransferConfig.UnfreezeAtEpoch"/>, and trains everything from it on; returns whether parts are frozen.</summary>
    public static bool ApplyFreeze(MultiHeadNetwork network, TransferConfig transfer, int epoch)
    {
        if (transfer.Freeze.Count == 0)
            return false;
        bool frozen = transfer.UnfreezeAtEpoch == 0 || epoch < transfer.UnfreezeAtEpoch;
        network.SetTrainable(true, [.. network.PartNames]);
        if (frozen)
            network.SetTrainable(false, [.. Expand(network, transfer.Freeze)]);
        return frozen;
    }

    /// <summary>1 for the heads, <see cref="TransferConfig.BackboneLearningRateScale"/> for the backbone (null when that is 1).</summary>
    public static Func<string, double>? LearningRateScale(MultiHeadNetwork network, TransferConfig transfer) =>
        transfer.BackboneLearningRateScale == 1.0 ? null : name => network.IsHeadParameter(name) ? 1.0 : transfer.BackboneLearningRateScale;
}
