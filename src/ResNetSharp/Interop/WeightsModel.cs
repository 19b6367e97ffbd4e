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
    /// <c>train()</c> to train it further). A file that names no model is a
    /// <see cref="FormatException"/>; build the model yourself and use <see cref="WeightLoader.LoadFile"/> then.
    /// </summary>
    public static ResNet Load(string path)
    {
        var (_, spec) = FromMetadata(WeightFile.ReadMetadata(path), path) ?? throw new FormatException(Unnamed(path) + ".");
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
}
