using System.Text.Json;
using System.Text.Json.Serialization;

namespace ResNetSharp.Serving;

/// <summary>How the API writes JSON: camelCase names, enums as strings, and a non-finite value as "NaN" or "Infinity" rather than a failed response.</summary>
public static class ServingJson
{
    /// <summary>The shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
