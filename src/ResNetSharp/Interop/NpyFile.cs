using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ResNetSharp.Common;
using ResNetSharp.IO;

namespace ResNetSharp.Interop;

/// <summary>NumPy .npy files of little-endian float32 in C order: read for inputs, written for embeddings.</summary>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a float32 array; any other dtype, Fortran order or a damaged header is an error naming the file.</summary>
    public static (float[] Data, long[] Shape) ReadFloat32(string path)
    {
        InputFile.RequireRegular(path, "Input");
        try
        {
            return ReadFloat32Checked(path);
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException || e is FormatException && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new FormatException($"{path}: damaged .npy file ({e.Message}).", e);
        }
    }

    private static (float[] Data, long[] Shape) ReadFloat32Checked(string path)
    {
        using var stream = InputFile.OpenRead(path, "Input");
        using var reader = new BinaryReader(stream);
        var start = reader.ReadBytes(8);
        if (start.Length < 8 || !start.AsSpan(0, 6).SequenceEqual(Magic))
            throw new FormatException($"{path}: not a .npy file (bad magic).");
        int headerLength = start[6] == 1 ? reader.ReadUInt16() : (int)Math.Min(reader.ReadUInt32(), 1 << 20);
        string header = Encoding.Latin1.GetString(reader.ReadBytes(headerLength));
        var match = HeaderPattern().Match(header);
        if (!match.Success)
            throw new FormatException($"{path}: .npy header not understood: {header.Trim()}");
        if (match.Groups["descr"].Value is not ("<f4" or "=f4"))
            throw new FormatException($"{path}: dtype {match.Groups["descr"].Value}; expected float32 ('<f4').");
        if (match.Groups["fortran"].Value == "True")
            throw new FormatException($"{path}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray.");
        var shape = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        if (shape.Any(d => d < 0))
            throw new FormatException($"{path}: negative dimension in shape ({string.Join(", ", shape)}).");
        long count = shape.Aggregate(1L, (a, d) => checked(a * d));
        if (count > Array.MaxLength)
            throw new FormatException($"{path}: shape ({string.Join(", ", shape)}) holds more values than one array can.");
        if (checked(count * 4) != stream.Length - stream.Position)
            throw new FormatException($"{path}: shape ({string.Join(", ", shape)}) needs {count * 4} bytes; the file holds {stream.Length - stream.Position}.");
        var data = new float[count];
        stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        return (data, shape);
    }

    /// <summary>Writes a float32 matrix (rows x columns), atomically.</summary>
    public static void WriteFloat32(string path, float[] data, long rows, long columns) =>
        WriteFloat32Array(path, data, [rows, columns]);

    /// <summary>Writes a float32 array of any shape (C order), atomically.</summary>
    public static void WriteFloat32Array(string path, float[] data, long[] shape)
    {
        if (shape.Aggregate(1L, (a, d) => a * d) != data.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) does not match {data.Length} values.", nameof(data));
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dictionary = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = 10 + dictionary.Length + 1;
        string header = dictionary + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(Encoding.Latin1.GetBytes(header));
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        });
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<shape>[0-9,\s]*)\)", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();
}
