using System.Text.Json;
using System.Text.Json.Serialization;

namespace ResNetSharp.Imaging;

/// <summary>
/// What one output of a multi-head model means, as weights and ONNX metadata store it (key
/// <see cref="MetadataKey"/>, a JSON list): so a later evaluation, prediction or export can rebuild and
/// name the outputs without flags. Plain data, shared by training and ONNX Runtime inference.
/// </summary>
/// <param name="Name">The head's name: its output's name (never <see cref="Inference.ModelOutput.EmbeddingName"/>, the pooled features' output).</param>
/// <param name="Kind"><see cref="ClassificationKind"/>, <see cref="RegressionKind"/>, or a custom head's own kind.</param>
/// <param name="Outputs">Values per sample.</param>
public sealed record HeadDescription(string Name, string Kind, int Outputs)
{
    /// <summary>Metadata key of the list.</summary>
    public const string MetadataKey = "heads";

    /// <summary>Class scores (logits).</summary>
    public const string ClassificationKind = "classification";

    /// <summary>Real values, in the targets' own units.</summary>
    public const string RegressionKind = "regression";

    /// <summary>Classification: class names by output index.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Classification: width of the hidden layer (0: none).</summary>
    public int Hidden { get; init; }

    /// <summary>Classification: dropout before the classifier.</summary>
    public double Dropout { get; init; }

    /// <summary>Regression: the training loss (l1, mse or smoothL1).</summary>
    public string? Loss { get; init; }

    /// <summary>The label column it learned from, when that is not <see cref="Name"/> (null: its name).</summary>
    public string? Column { get; init; }

    /// <summary>Weight of the head's loss in training.</summary>
    public double Weight { get; init; } = 1.0;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The metadata value for <paramref name="heads"/>.</summary>
    public static string ToJson(IReadOnlyList<HeadDescription> heads) => JsonSerializer.Serialize(heads, Json);

    /// <summary>Reads <see cref="ToJson"/>'s form; a malformed list is a <see cref="FormatException"/> naming <paramref name="source"/>.</summary>
    public static IReadOnlyList<HeadDescription> FromJson(string json, string source)
    {
        try
        {
            var heads = JsonSerializer.Deserialize<HeadDescription[]>(json, Json);
            if (heads is null || heads.Length == 0 || heads.Any(h => h is null || string.IsNullOrEmpty(h.Name) || string.IsNullOrEmpty(h.Kind)
                    || h.Outputs is < 1 or > 1_000_000 || (h.Kind == ClassificationKind && h.ClassNames?.Count != h.Outputs)))
                throw new FormatException("expected a non-empty list of heads, each with a name, a kind and 1 to 1000000 outputs (class names for each class)");
            if (heads.Select(h => h.Name).Distinct().Count() != heads.Length)
                throw new FormatException("two heads share a name");
            if (heads.Any(h => h.Name == Inference.ModelOutput.EmbeddingName))
                throw new FormatException($"a head is named '{Inference.ModelOutput.EmbeddingName}', the name of the pooled features' output");
            return heads;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new FormatException($"{source}: metadata '{MetadataKey}' is malformed ({e.Message}).", e);
        }
    }
}
