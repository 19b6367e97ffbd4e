using System.Text.Json;
using System.Text.Json.Serialization;

namespace ResNetSharp.Models;

/// <summary>
/// Reads and writes <see cref="ResNetSpec"/> as JSON with camelCase field names and enum names as
/// strings, e.g. {"block": "bottleneck", "depths": [3, 4, 6, 3], "groups": 32, "baseWidth": 4}.
/// A file may also start from a catalog entry: {"base": "resnet50", "numClasses": 10}.
/// </summary>
public static class ResNetSpecJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false), new IntArrayConverter() },
    };

    /// <summary>
    /// ImmutableArray&lt;int&gt; as a JSON array, without System.Text.Json's reflection-based support for
    /// immutable collections, which trimmed self-contained builds remove.
    /// </summary>
    private sealed class IntArrayConverter : JsonConverter<System.Collections.Immutable.ImmutableArray<int>>
    {
        public override System.Collections.Immutable.ImmutableArray<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new JsonException($"expected an array of integers, got {reader.TokenType}.");
            var values = System.Collections.Immutable.ImmutableArray.CreateBuilder<int>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int value))
                    throw new JsonException($"expected an integer, got {reader.TokenType}.");
                values.Add(value);
            }
            return values.ToImmutable();
        }

        public override void Write(Utf8JsonWriter writer, System.Collections.Immutable.ImmutableArray<int> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (int item in value)
                writer.WriteNumberValue(item);
            writer.WriteEndArray();
        }
    }

    /// <summary>The largest spec file read, in bytes: a spec is a few hundred.</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Serialises a spec.</summary>
    public static string ToJson(ResNetSpec spec) => JsonSerializer.Serialize(spec, Options);

    /// <summary>
    /// Parses and validates a spec (its fields and its plan). Errors (malformed JSON, unknown or missing fields, bad values) throw
    /// a <see cref="FormatException"/> that names <paramref name="source"/> and the field.
    /// </summary>
    public static ResNetSpec Parse(string json, string source = "spec JSON")
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{source}: expected a JSON object, got {document.RootElement.ValueKind}.");
            var spec = document.RootElement.TryGetProperty("base", out var baseName)
                ? FromBase(document.RootElement, baseName.GetString() ?? "", source)
                : document.RootElement.Deserialize<ResNetSpec>(Options)
                  ?? throw new FormatException($"{source}: empty spec.");
            NetworkPlanner.Plan(spec); // validates the fields, and what only shows in the planned blocks (a zero-pad that shrinks)
            return spec;
        }
        catch (JsonException e)
        {
            string where = e.Path is null ? "" : $" at {e.Path}";
            throw new FormatException($"{source}: invalid ResNet spec{where}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
        catch (KeyNotFoundException e)
        {
            throw new FormatException($"{source}: 'base': {e.Message}", e);
        }
    }

    /// <summary>Reads a spec file; see <see cref="Parse"/>.</summary>
    public static ResNetSpec Load(string path)
    {
        return Parse(IO.InputFile.ReadAllText(path, "Spec file", MaxFileBytes), path);
    }

    private static ResNetSpec FromBase(JsonElement root, string baseName, string source)
    {
        var merged = JsonSerializer.SerializeToNode(ModelCatalog.Get(baseName), Options)!.AsObject();
        foreach (var property in root.EnumerateObject())
            if (property.Name != "base")
                merged[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
        return merged.Deserialize<ResNetSpec>(Options) ?? throw new FormatException($"{source}: empty spec.");
    }
}
