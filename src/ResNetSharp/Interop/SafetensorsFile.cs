using System.Text;
using System.Text.Json;
using ResNetSharp.Common;
using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>Reads and writes safetensors files (8-byte little-endian header length, JSON header, raw data).</summary>
public static class SafetensorsFile
{
    /// <summary>Reads and validates only the header: names, dtypes, shapes and metadata, no tensor data.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var stream = OpenForRead(path);
        return SafetensorsHeader.Read(stream, path);
    }

    /// <summary>
    /// Loads every tensor onto the CPU, in file order. The header is validated before any tensor is
    /// allocated, and each tensor is read straight into its own memory (no second copy of the file).
    /// The caller owns the returned tensors.
    /// </summary>
    public static (IReadOnlyList<(string Name, Tensor Tensor)> Tensors, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        using var stream = OpenForRead(path);
        var header = SafetensorsHeader.Read(stream, path);
        var tensors = new List<(string, Tensor)>(header.Entries.Count);
        try
        {
            foreach (var entry in header.Entries)
            {
                var tensor = empty(entry.Shape, SafetensorsDType.Lookup(entry.DType)!.Value.Type);
                tensors.Add((entry.Name, tensor));
                stream.Position = header.DataStart + entry.Begin;
                ReadInto(stream, tensor, entry.End - entry.Begin);
            }
        }
        catch
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
            throw;
        }
        return (tensors, header.Metadata);
    }

    /// <summary>
    /// Writes tensors (any device, any layout; stored contiguous, in the given order) and optional metadata.
    /// The file is replaced atomically: a smaller file saved over a larger one leaves no stale bytes,
    /// and a failure leaves the old file as it was.
    /// </summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        WeightLoader.RequireUniqueNames(list.Select(t => t.Name), path);

        byte[] header = BuildHeader(list, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor) in list)
            {
                using var scope = NewDisposeScope();
                var cpu = tensor.detach().cpu().contiguous();
                WriteFrom(stream, cpu);
            }
        });
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                long bytes = tensor.numel() * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDType.NameOf(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.shape)
                    json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so tensor data starts 8-byte aligned, as the reference writer does.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }

    private static FileStream OpenForRead(string path) => InputFile.OpenRead(path, "Weights file", 1 << 20);

    private static void ReadInto(Stream stream, Tensor tensor, long length)
    {
        if (length == 0)
            return;
        CheckSize(tensor, length);
        stream.ReadExactly(tensor.bytes);
    }

    private static void WriteFrom(Stream stream, Tensor tensor)
    {
        long length = tensor.numel() * tensor.ElementSize;
        if (length == 0)
            return;
        CheckSize(tensor, length);
        stream.Write(tensor.bytes);
    }

    // TorchSharp exposes a tensor's memory as one Span, so a single tensor is limited to 2 GiB.
    private static void CheckSize(Tensor tensor, long length)
    {
        if (length > int.MaxValue)
            throw new NotSupportedException(
                $"A tensor of {length} bytes ([{string.Join(", ", tensor.shape)}]) is over the 2 GiB this library reads or writes at once.");
    }
}
