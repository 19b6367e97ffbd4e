using ResNetSharp.Imaging;
using ResNetSharp.Interop;

namespace ResNetSharp.Training;

/// <summary>
/// Rebuilds the network a weights file written by ResNetSharp names: its backbone from the spec in the
/// metadata and its heads from the <see cref="HeadDescription"/> list (a file without one holds a plain
/// classifier, the head <c>fc</c>), then loads the file strictly.
/// </summary>
public static class WeightsNetwork
{
    /// <summary>The heads a weights file's metadata describes, or null for a plain classifier.</summary>
    public static IReadOnlyList<HeadDescription>? Heads(IReadOnlyDictionary<string, string> metadata, string source) =>
        metadata.TryGetValue(HeadDescription.MetadataKey, out var json) ? HeadDescription.FromJson(json, source) : null;

    /// <summary>A head that <paramref name="description"/> describes, freshly initialised (a regression head's statistics load with the weights).</summary>
    public static TaskHead Head(HeadDescription description, string source) => description.Kind switch
    {
        HeadDescription.ClassificationKind => new ClassificationHead(description.Name, description.ClassNames!, description.Weight)
            { Hidden = description.Hidden, Dropout = description.Dropout, Column = description.Column ?? description.Name },
        HeadDescription.RegressionKind => new RegressionHead(description.Name, new double[description.Outputs], Enumerable.Repeat(1.0, description.Outputs).ToList(), description.Weight)
            { Column = description.Column ?? description.Name, LossKind = Loss(description, source) },
        _ => throw new FormatException($"{source}: head '{description.Name}' is a custom head (kind '{description.Kind}'); build that network in code and load the file with WeightLoader."),
    };

    private static RegressionLoss Loss(HeadDescription description, string source) =>
        description.Loss is null ? RegressionLoss.SmoothL1
        : Enum.TryParse<RegressionLoss>(description.Loss, ignoreCase: true, out var loss) && Enum.IsDefined(loss) && !int.TryParse(description.Loss, out _) ? loss
        : throw new FormatException($"{source}: head '{description.Name}' has loss '{description.Loss}'; expected l1, mse or smoothL1.");

    /// <summary>Builds and loads the network of <paramref name="path"/> (in training mode, on the CPU).</summary>
    public static MultiHeadNetwork Load(string path)
    {
        var metadata = WeightFile.ReadMetadata(path);
        var (_, spec) = WeightsModel.FromMetadata(metadata, path) ?? throw new FormatException(WeightsModel.Unnamed(path) + ".");
        var heads = Heads(metadata, path)?.Select(h => Head(h, path)).ToList()
            ?? (spec.NumClasses > 0 ? [new ClassificationHead(MultiHeadNetwork.ClassifierHead, ModelCard.FromMetadata(metadata, path)?.ClassNames is { } names
                && names.Count == spec.NumClasses ? names : Enumerable.Range(0, spec.NumClasses).Select(i => i.ToString()).ToList())] : []);
        var network = MultiHeadNetwork.FromSpec(spec, heads);
        try
        {
            WeightLoader.LoadFile(network, path);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
