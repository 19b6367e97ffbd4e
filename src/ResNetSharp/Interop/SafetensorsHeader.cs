using System.Text;
using System.Text.Json;

namespace ResNetSharp.Interop;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">safetensors dtype name, e.g. "F32".</param>
/// <param name="Shape">Dimensions (empty for a scalar).</param>
/// <param name="Begin">Offset of the first byte, relative to the end of the header.</param>
/// <param name="End">Offset one past the last byte.</param>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// A parsed and fully validated safetensors header. Validation is at least as strict as the reference
/// implementation and stricter where it is lax: header length within bounds and the file, valid UTF-8
/// JSON object, known dtypes, non-negative dimensions, overflow-checked byte counts equal to the offsets,
/// offsets contiguous from 0 with no gaps, overlaps or trailing bytes, no duplicate names, no unknown fields.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted, in bytes (the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The optional string-to-string metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Where tensor data starts in the file: 8 + header length.</summary>
    public long DataStart { get; }

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>Reads and validates the header of <paramref name="stream"/> (positioned at 0), named <paramref name="path"/> in errors.</summary>
    public static SafetensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new SafetensorsFormatException(path, $"the file has {fileLength} bytes, fewer than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.IsLittleEndian
            ? BitConverter.ToUInt64(lengthBytes)
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength)
            throw new SafetensorsFormatException(path, $"header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes");
        if ((long)headerLength > fileLength - 8)
            throw new SafetensorsFormatException(path, $"header length {headerLength} runs past the end of the {fileLength}-byte file");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string json;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SafetensorsFormatException(path, "the header is not valid UTF-8");
        }

        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = Parse(json, path);
        CheckLayout(entries, fileLength - dataStart, path);
        return new SafetensorsHeader(entries, metadata, dataStart);
    }

    private static (List<SafetensorsEntry>, Dictionary<string, string>) Parse(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"the header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, $"the header is a JSON {document.RootElement.ValueKind}, not an object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw new SafetensorsFormatException(path, $"the name '{property.Name}' appears twice");
                if (property.Name == "__metadata__")
                    ReadMetadata(property.Value, metadata, path);
                else
                    entries.Add(ReadEntry(property.Name, property.Value, path));
            }
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, "__metadata__ must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, $"__metadata__ value of '{item.Name}' is a {item.Value.ValueKind}, not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafetensorsFormatException(path, $"__metadata__ key '{item.Name}' appears twice");
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, string path)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, $"{where} is a {value.ValueKind}, not an object");
        string? dtype = null;
        long[]? shape = null, offsets = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in value.EnumerateObject())
        {
            if (!seen.Add(field.Name))
                throw new SafetensorsFormatException(path, $"{where} has the field '{field.Name}' twice");
            switch (field.Name)
            {
                case "dtype":
                    dtype = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()
                        : throw new SafetensorsFormatException(path, $"{where}: dtype must be a string");
                    break;
                case "shape":
                    shape = ReadIntegers(field.Value, $"{where}: shape", path);
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(field.Value, $"{where}: data_offsets", path);
                    break;
                default:
                    throw new SafetensorsFormatException(path, $"{where} has the unknown field '{field.Name}'");
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw new SafetensorsFormatException(path, $"{where} needs dtype, shape and data_offsets");
        if (SafetensorsDType.Lookup(dtype) is null)
            throw new SafetensorsFormatException(path, SafetensorsDType.IsKnownButUnsupported(dtype)
                ? $"{where}: dtype {dtype} is not supported by this library"
                : $"{where}: unknown dtype '{dtype}'");
        if (offsets.Length != 2)
            throw new SafetensorsFormatException(path, $"{where}: data_offsets must be [begin, end]");
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement value, string what, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, $"{what} must be an array of non-negative integers");
        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number) || number < 0)
                throw new SafetensorsFormatException(path, $"{what} must hold non-negative integers; found {item.GetRawText()}");
            result[i++] = number;
        }
        return result;
    }

    private static void CheckLayout(List<SafetensorsEntry> entries, long dataLength, string path)
    {
        long expectedBegin = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            long bytes = SafetensorsDType.Lookup(entry.DType)!.Value.Size;
            try
            {
                foreach (long dimension in entry.Shape)
                    bytes = checked(bytes * dimension);
            }
            catch (OverflowException)
            {
                throw new SafetensorsFormatException(path, $"tensor '{entry.Name}': shape [{string.Join(", ", entry.Shape)}] overflows a byte count");
            }
            if (entry.Begin != expectedBegin)
                throw new SafetensorsFormatException(path, entry.Begin > expectedBegin
                    ? $"tensor '{entry.Name}' starts at {entry.Begin}, leaving a gap after {expectedBegin}"
                    : $"tensor '{entry.Name}' starts at {entry.Begin}, overlapping data that ends at {expectedBegin}");
            if (entry.End < entry.Begin || entry.End - entry.Begin != bytes)
                throw new SafetensorsFormatException(path,
                    $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] hold {entry.End - entry.Begin} bytes, but {entry.DType} [{string.Join(", ", entry.Shape)}] needs {bytes}");
            expectedBegin = entry.End;
        }
        if (expectedBegin != dataLength)
            throw new SafetensorsFormatException(path, expectedBegin < dataLength
                ? $"{dataLength - expectedBegin} trailing bytes after the last tensor"
                : $"the tensors need {expectedBegin} data bytes but the file holds {dataLength}");
    }
}
