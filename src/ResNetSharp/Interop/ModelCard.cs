using System.Globalization;
using System.Text.Json;
using ResNetSharp.Imaging;

namespace ResNetSharp.Interop;

/// <summary>
/// What a weights file should say about itself so that predictions need no extra flags: the model,
/// its class names and the preprocessing it was trained with. Stored as safetensors metadata strings.
/// </summary>
/// <param name="Model">Catalog name or spec file.</param>
/// <param name="ClassNames">Name of each output, by index.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="Preprocessing">Resize, crop, mean/std, grayscale.</param>
public sealed record ModelCard(string Model, IReadOnlyList<string> ClassNames, int InChannels, ImagePreprocessing Preprocessing)
{
    /// <summary>The metadata entries (also readable by other safetensors tools as plain strings).</summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        ["format"] = "pt",
        ["model"] = Model,
        ["num_classes"] = ClassNames.Count.ToString(CultureInfo.InvariantCulture),
        ["in_channels"] = InChannels.ToString(CultureInfo.InvariantCulture),
        ["class_names"] = JsonSerializer.Serialize(ClassNames),
        ["preprocessing"] = Preprocessing.ToJson(),
    };

    /// <summary>The card in a file's metadata, or null when it has none (e.g. torchvision's files).</summary>
    public static ModelCard? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue("class_names", out var names) || !metadata.TryGetValue("preprocessing", out var preprocessing))
            return null;
        try
        {
            return new ModelCard(
                metadata.GetValueOrDefault("model", ""),
                JsonSerializer.Deserialize<string[]>(names)!,
                int.Parse(metadata.GetValueOrDefault("in_channels", "3"), CultureInfo.InvariantCulture),
                ImagePreprocessing.FromJson(preprocessing));
        }
        catch (Exception e) when (e is JsonException or FormatException or NullReferenceException)
        {
            throw new FormatException($"{source}: metadata class_names/preprocessing is malformed ({e.Message}).", e);
        }
    }
}
