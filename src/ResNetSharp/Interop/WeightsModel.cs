using ResNetSharp.Models;

namespace ResNetSharp.Interop;

/// <summary>
/// Which network a weights file holds, as its metadata says: the full spec under <c>spec</c> (written by
/// training, fine-tuning and export), or a catalog name under <c>model</c>. With it, eval, predict, embed
/// and export need no --model for the files ResNetSharp writes.
/// </summary>
public static class WeightsModel
{
    /// <summary>Metadata key of the spec JSON.</summary>
    public const string SpecKey = "spec";

    /// <summary>Metadata key of the model's name (a catalog name, or the spec file it was trained from).</summary>
    public const string NameKey = "model";

    /// <summary>Adds the entries that name <paramref name="spec"/> as <paramref name="name"/> to <paramref name="metadata"/>, and returns it.</summary>
    public static Dictionary<string, string> Describe(Dictionary<string, string> metadata, string name, ResNetSpec spec)
    {
        metadata[NameKey] = name;
        metadata[SpecKey] = ResNetSpecJson.ToJson(spec);
        return metadata;
    }

    /// <summary>
    /// The name and spec the metadata gives, or null when it names no model this library can build (a
    /// torchvision file, or a spec file name without the spec itself). A malformed spec is a
    /// <see cref="FormatException"/> naming <paramref name="source"/>.
    /// </summary>
    public static (string Name, ResNetSpec Spec)? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        string name = metadata.GetValueOrDefault(NameKey, "");
        if (metadata.TryGetValue(SpecKey, out var json))
            return (name.Length > 0 ? name : "model", ResNetSpecJson.Parse(json, $"{source} (metadata '{SpecKey}')"));
        return ModelCatalog.Contains(name) ? (name, ModelCatalog.Get(name)) : null;
    }

    /// <summary>The problem with a file whose metadata names no model, for error messages.</summary>
    public static string Unnamed(string path) => $"{path} does not say which model it holds (no '{SpecKey}' or catalog '{NameKey}' in its metadata)";

    /// <summary>
    /// Builds the network a weights file names and loads the file into it strictly: one call from a
    /// run's best.safetensors to a model, on the CPU and in eval mode, ready for inference (call
    /// <c>train()</c> to train it further). A file that names no model, or names one larger than its own
    /// tensors (<see cref="RequireFits"/>), is a <see cref="FormatException"/>; build the model yourself and
    /// use <see cref="WeightLoader.LoadFile"/> then.
    /// </summary>
    public static ResNet Load(string path)
    {
        var contents = WeightFile.ReadContents(path);
        var (_, spec) = FromMetadata(contents.Metadata, path) ?? throw new FormatException(Unnamed(path) + ".");
        RequireFits(spec, contents, path);
        var model = new ResNet(spec);
        try
        {
            WeightLoader.LoadFile(model, path);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The class count a file's classifier has: the rows of its <c>fc.weight</c> (a "module." prefix is
    /// dropped), or null without one. A classifier that is not a non-empty matrix, or has more than
    /// <see cref="SpecLimits.MaxClasses"/> rows, is a <see cref="FormatException"/> naming <paramref name="path"/>.
    /// </summary>
    public static int? ClassCount(WeightFileContents contents, string path) =>
        Dimension(contents, path, ["fc.weight"], rank: 2, index: 0, SpecLimits.MaxClasses, "classifier rows (classes)");

    /// <summary>
    /// The input channels a file's stem takes: dimension 1 of <c>conv1.weight</c> (or the deep stem's
    /// <c>conv1.0.weight</c>), or null without one; checked as <see cref="ClassCount"/> is, against
    /// <see cref="SpecLimits.MaxInChannels"/>.
    /// </summary>
    public static int? InputChannels(WeightFileContents contents, string path) =>
        Dimension(contents, path, ["conv1.weight", "conv1.0.weight"], rank: 4, index: 1, SpecLimits.MaxInChannels, "stem input channels");

    /// <summary>
    /// Refuses (with a <see cref="FormatException"/>) a spec whose convolution and classifier weights alone
    /// (<see cref="SpecLimits.WeightCount(ResNetSpec)"/>) outnumber the values the file stores: a strict load could never
    /// fill it, and a file must not make the reader build a model larger than itself.
    /// </summary>
    public static void RequireFits(ResNetSpec spec, WeightFileContents contents, string path)
    {
        double needed = SpecLimits.WeightCount(spec);
        if (needed > contents.StoredValues)
            throw new FormatException(
                $"{path}: the model it describes needs at least {needed:N0} weights, but the file stores only {contents.StoredValues:N0} values; it does not hold that model.");
    }

    private static int? Dimension(WeightFileContents contents, string path, string[] names, int rank, int index, int max, string what)
    {
        foreach (var (name, shape) in contents.Tensors)
        {
            if (!names.Contains(WeightLoader.MapName(name)))
                continue;
            if (shape.Length != rank || shape.Any(d => d < 1))
                throw new FormatException($"{path}: tensor '{name}' has shape [{string.Join(", ", shape)}]; expected {rank} dimensions of 1 or more.");
            if (shape[index] > max)
                throw new FormatException($"{path}: tensor '{name}' has shape [{string.Join(", ", shape)}]: {shape[index]} {what}, over the {max} allowed.");
            return (int)shape[index];
        }
        return null;
    }
}
