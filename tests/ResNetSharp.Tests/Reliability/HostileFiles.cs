using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Reliability;

/// <summary>Builders of the hostile files and special paths the reliability tests feed to readers.</summary>
internal static class HostileFiles
{
    /// <summary>A torch.save-style zip: data.pkl, the storages under data/, and version.</summary>
    public static string Pth(string folder, byte[] pickle, CompressionLevel level = CompressionLevel.NoCompression, params (string Name, byte[] Data)[] storages)
    {
        string path = Path.Combine(folder, $"hostile-{Guid.NewGuid():N}.pth");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Add(string name, byte[] data)
        {
            using var stream = zip.CreateEntry(name, level).Open();
            stream.Write(data);
        }
        Add("archive/data.pkl", pickle);
        foreach (var (name, data) in storages)
            Add($"archive/data/{name}", data);
        Add("archive/version", "3\n"u8.ToArray());
        return path;
    }

    /// <summary>
    /// A torch.save-style zip whose storage <paramref name="key"/> is <paramref name="bytes"/> zero bytes, deflated
    /// as it is written (deflate shrinks zeros about 1000 times, so 512 MiB make a file of about half a megabyte).
    /// </summary>
    public static string PthWithZeroStorage(string folder, byte[] pickle, string key, long bytes)
    {
        string path = Path.Combine(folder, $"hostile-{Guid.NewGuid():N}.pth");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            stream.Write(pickle);
        using (var stream = zip.CreateEntry($"archive/data/{key}", CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.Length)
                stream.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
        }
        using (var stream = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open())
            stream.Write("3\n"u8);
        return path;
    }

    /// <summary>Pickle source as Latin-1 text (opcodes and raw bytes), as bytes.</summary>
    public static byte[] Pickle(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>A little-endian int32 as four Latin-1 characters, for BININT ('J') arguments.</summary>
    public static string Int32(long value) => Encoding.Latin1.GetString(BitConverter.GetBytes((int)value));

    /// <summary>BININT opcodes for each value.</summary>
    public static string Ints(params long[] values) => string.Concat(values.Select(v => "J" + Int32(v)));

    /// <summary>An OrderedDict state dict of float tensors, each (name, storage key, storage numel, size, stride), rebuilt as torch.save writes them.</summary>
    public static byte[] StateDictPickle(params (string Name, string Storage, long Numel, long[] Size, long[] Stride)[] tensors)
    {
        var text = new StringBuilder("\u0080\u0002ccollections\nOrderedDict\n)R(");
        foreach (var (name, storage, numel, size, stride) in tensors)
            text.Append($"X{Int32(name.Length)}{name}ctorch._utils\n_rebuild_tensor_v2\n((X\u0007\0\0\0storagectorch\nFloatStorage\n" +
                $"X{Int32(storage.Length)}{storage}X\u0003\0\0\0cpu{Ints(numel)}tQJ{Int32(0)}({Ints(size)}t({Ints(stride)}t\u0089ccollections\nOrderedDict\n)RtR");
        return Pickle(text.Append("u.").ToString());
    }

    /// <summary>
    /// A .pth whose central directory lists the entry of storage "0" (compressed) <paramref name="names"/> times
    /// under the names "0".."N-1": every name points at the same deflate stream.
    /// </summary>
    public static string PthWithOneStreamNamedManyTimes(string folder, byte[] pickle, byte[] storage, int names)
    {
        string path = Pth(folder, pickle, CompressionLevel.Fastest, ("0", storage));
        var bytes = File.ReadAllBytes(path).ToList();
        int end = bytes.Count - 22; // end of central directory (no comment)
        int directorySize = BinaryPrimitives.ReadInt32LittleEndian(bytes.GetRange(end + 12, 4).ToArray());
        int directoryStart = BinaryPrimitives.ReadInt32LittleEndian(bytes.GetRange(end + 16, 4).ToArray());
        // Find the central header of archive/data/0 and repeat it with its last name character changed.
        int at = directoryStart;
        List<byte>? header = null;
        while (at < directoryStart + directorySize)
        {
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.GetRange(at + 28, 2).ToArray());
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(bytes.GetRange(at + 30, 2).ToArray());
            int comment = BinaryPrimitives.ReadUInt16LittleEndian(bytes.GetRange(at + 32, 2).ToArray());
            int length = 46 + nameLength + extra + comment;
            if (Encoding.ASCII.GetString(bytes.GetRange(at + 46, nameLength).ToArray()) == "archive/data/0")
                header = bytes.GetRange(at, length);
            at += length;
        }
        var copies = new List<byte>();
        for (int i = 1; i < names; i++)
        {
            var copy = header!.ToArray();
            copy[46 + "archive/data/".Length] = (byte)('0' + i);
            copies.AddRange(copy);
        }
        bytes.InsertRange(directoryStart + directorySize, copies);
        end += copies.Count;
        var record = bytes.GetRange(end, 22).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(8), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(8)) + names - 1));
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(10)) + names - 1));
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(12), directorySize + copies.Count);
        bytes.RemoveRange(end, 22);
        bytes.AddRange(record);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    /// <summary>A safetensors file of the given (name, shape, float32 values) and metadata, written byte by byte (any shape, even an empty one).</summary>
    public static string Safetensors(string path, IReadOnlyDictionary<string, string>? metadata, params (string Name, long[] Shape, float[] Values)[] tensors)
    {
        var header = new StringBuilder("{");
        if (metadata is not null)
            header.Append("\"__metadata__\":").Append(System.Text.Json.JsonSerializer.Serialize(metadata)).Append(',');
        long offset = 0;
        foreach (var (name, shape, values) in tensors)
        {
            header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + values.Length * 4}]}},");
            offset += values.Length * 4;
        }
        var json = Encoding.UTF8.GetBytes(header.ToString().TrimEnd(',') + "}");
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        foreach (var (_, _, values) in tensors)
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return path;
    }

    /// <summary>The weights of <paramref name="spec"/> (freshly initialised) with <paramref name="metadata"/>, as safetensors.</summary>
    public static string ModelWeights(string path, ResNetSpec spec, IReadOnlyDictionary<string, string> metadata)
    {
        manual_seed(0);
        using var model = new ResNet(spec);
        SafetensorsFile.Save(path, StateDictOrder.Entries(model), metadata);
        return path;
    }

    /// <summary>A network small enough to build in milliseconds.</summary>
    public static ResNetSpec TinySpec { get; } = new()
    {
        Block = BlockKind.Basic, Depths = [1, 1], Widths = [4, 8], StemChannels = 4, Stem = StemKind.Cifar, NumClasses = 3,
    };

    /// <summary>Makes a named pipe (FIFO) at <paramref name="path"/>.</summary>
    public static string Fifo(string path)
    {
        Run("mkfifo", path);
        return path;
    }

    /// <summary>Makes a character device like /dev/null at <paramref name="path"/>, or returns null where that is not allowed (not root).</summary>
    public static string? CharacterDevice(string path)
    {
        using var mknod = Process.Start(new ProcessStartInfo("mknod", [path, "c", "1", "3"]) { RedirectStandardError = true })!;
        mknod.WaitForExit();
        return mknod.ExitCode == 0 ? path : null;
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(" ", args)} failed: {process.StandardError.ReadToEnd()}");
    }
}
