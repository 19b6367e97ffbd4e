using System.Globalization;
using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Models;

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

    /// <summary>
    /// The card in a file's metadata, or null when it has none (e.g. torchvision's files). A present but
    /// unusable entry (class names that are not a list of strings, an in-channel count outside 1 to
    /// <see cref="SpecLimits.MaxInChannels"/>, preprocessing that <see cref="ImagePreprocessing.Problem"/>
    /// refuses) is a <see cref="FormatException"/> naming <paramref name="source"/> and the entry.
    /// </summary>
    public static ModelCard? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue("class_names", out var names) || !metadata.TryGetValue("preprocessing", out var preprocessing))
            return null;
        string inChannels = metadata.GetValueOrDefault("in_channels", "3");
        return new ModelCard(
            metadata.GetValueOrDefault("model", ""),
            Entry(source, "class_names", names, () => ParseClassNames(names)),
            Entry(source, "in_channels", inChannels, () =>
                int.TryParse(inChannels, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c is >= 1 and <= SpecLimits.MaxInChannels
                    ? c : throw new FormatException($"expected a whole number from 1 to {SpecLimits.MaxInChannels}")),
            Entry(source, "preprocessing", preprocessing, () => ImagePreprocessing.FromJson(preprocessing)));
    }

    private static string[] ParseClassNames(string json)
    {
        var names = JsonSerializer.Deserialize<string[]>(json) ?? throw new FormatException("expected a list of names, not null");
        if (names.Length > SpecLimits.MaxClasses)
            throw new FormatException($"{names.Length} names; at most {SpecLimits.MaxClasses}");
        return names.Contains(null) ? throw new FormatException("a class name is null") : names;
    }

    private static T Entry<T>(string source, string key, string text, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            string shown = text.Length > 200 ? text[..200] + "…" : text;
            throw new FormatException($"{source}: metadata '{key}' is unusable ({e.Message}): {shown}", e);
        }
    }
}
