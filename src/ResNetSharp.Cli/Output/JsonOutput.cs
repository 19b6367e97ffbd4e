using System.Text.Json;

namespace ResNetSharp.Cli.Output;

/// <summary>How every command writes JSON: camelCase, indented.</summary>
public static class JsonOutput
{
    /// <summary>The shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };
}
