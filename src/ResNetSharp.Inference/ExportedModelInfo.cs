using System.Globalization;
using System.Text.Json;
using ResNetSharp.Imaging;

namespace ResNetSharp.Inference;

/// <summary>
/// What <c>resnet export</c> writes into an ONNX file's metadata: class names, preprocessing and input
/// size. Files from elsewhere may have none of it; then the defaults are ImageNet's.
/// </summary>
/// <param name="ClassNames">Names by output index, or null.</param>
/// <param name="Preprocessing">How images were prepared in training, or null.</param>
/// <param name="InputSize">(channels, height, width) from "input_size", or null.</param>
public sealed record ExportedModelInfo(IReadOnlyList<string>? ClassNames, ImagePreprocessing? Preprocessing, (int Channels, int Height, int Width)? InputSize)
{
    /// <summary>Reads the entries; a present but malformed entry is an error naming the file and the key.</summary>
    public static ExportedModelInfo Parse(IReadOnlyDictionary<string, string> metadata, string path)
    {
        T? Read<T>(string key, Func<string, T?> parse) where T : class
        {
            if (!metadata.TryGetValue(key, out var text))
                return null;
            try
            {
                return parse(text) ?? throw new FormatException("empty");
            }
            catch (Exception e) when (e is JsonException or FormatException or OverflowException)
            {
                throw new OnnxModelException(path, $"metadata \"{key}\" is malformed ({e.Message}): {text}", e);
            }
        }

        var names = Read("class_names", ParseClassNames);
        var preprocessing = Read("preprocessing", ImagePreprocessing.FromJson);
        var size = Read("input_size", ParseInputSize);
        return new ExportedModelInfo(names, preprocessing, size is null ? null : (size[0], size[1], size[2]));
    }

    private static string[]? ParseClassNames(string text)
    {
        var names = JsonSerializer.Deserialize<string[]>(text);
        return names is not null && names.Contains(null) ? throw new FormatException("a class name is null") : names;
    }

    private static int[] ParseInputSize(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 3)
            throw new FormatException("expected CxHxW");
        var values = parts.Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        return values[0] is >= 1 and <= 3 && values[1..].All(v => v is >= 1 and <= ImagePreprocessing.MaxSide) ? values
            : throw new FormatException($"expected 1 to 3 channels and sides of 1 to {ImagePreprocessing.MaxSide}");
    }
}
