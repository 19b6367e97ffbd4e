using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>The safetensors dtype names and their TorchSharp counterparts.</summary>
public static class SafetensorsDType
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> Supported = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    // In the specification but without a TorchSharp type to load them into.
    private static readonly HashSet<string> KnownUnsupported = new(StringComparer.Ordinal)
    {
        "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64",
    };

    /// <summary>The TorchSharp type and element size of a safetensors dtype name, or null if unsupported.</summary>
    public static (ScalarType Type, int Size)? Lookup(string name) =>
        Supported.TryGetValue(name, out var entry) ? entry : null;

    /// <summary>Whether the name is in the specification even though this library cannot load it.</summary>
    public static bool IsKnownButUnsupported(string name) => KnownUnsupported.Contains(name);

    /// <summary>The safetensors name of a TorchSharp type.</summary>
    public static string NameOf(ScalarType type) =>
        Supported.FirstOrDefault(kv => kv.Value.Type == type).Key
        ?? throw new ArgumentException($"dtype {type} cannot be stored in safetensors by this library.");
}
