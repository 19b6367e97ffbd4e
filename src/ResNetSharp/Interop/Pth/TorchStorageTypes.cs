using static TorchSharp.torch;

namespace ResNetSharp.Interop.Pth;

/// <summary>The legacy storage class names torch.save records for each dtype (torch.FloatStorage, ...).</summary>
internal static class TorchStorageTypes
{
    private static readonly Dictionary<string, ScalarType> ByName = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = ScalarType.Float64,
        ["FloatStorage"] = ScalarType.Float32,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
    };

    /// <summary>The dtype of a storage class in module "torch", or null.</summary>
    public static ScalarType? Lookup(PickleGlobal global) =>
        global.Module == "torch" && ByName.TryGetValue(global.Name, out var type) ? type : null;

    /// <summary>The storage class name for a dtype.</summary>
    public static string NameOf(ScalarType type) =>
        ByName.FirstOrDefault(kv => kv.Value == type).Key
        ?? throw new ArgumentException($"dtype {type} has no PyTorch storage type.");

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
