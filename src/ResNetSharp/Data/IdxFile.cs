using System.IO.Compression;
using ResNetSharp.IO;

namespace ResNetSharp.Data;

/// <summary>
/// Reads unsigned-byte IDX files (the MNIST family), gzipped or raw: a 4-byte magic 0x00 0x00 0x08 D
/// (D dimensions), D big-endian 32-bit sizes, then the bytes. Errors are <see cref="InvalidDataException"/>s
/// that name the file.
/// </summary>
public static class IdxFile
{
    /// <summary>The sizes and bytes of one IDX file.</summary>
    /// <param name="Dimensions">Sizes, outermost first.</param>
    /// <param name="Data">All elements, row-major.</param>
    public sealed record Content(int[] Dimensions, byte[] Data);

    /// <summary>
    /// Reads <paramref name="path"/> and checks it has <paramref name="expectedRank"/> dimensions. Never
    /// reads past the size the header declares (a gzip bomb stops there) and refuses trailing data.
    /// </summary>
    public static Content Read(string path, int expectedRank, long maxBytes = 1L << 31)
    {
        using var file = InputFile.OpenRead(path, "IDX file");
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return ReadContent(stream, path, expectedRank, maxBytes);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated: the file ends before the size its header declares.");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message}).", e);
        }
    }

    private static Content ReadContent(Stream stream, string path, int expectedRank, long maxBytes)
    {
        Span<byte> magic = stackalloc byte[4];
        stream.ReadExactly(magic);
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08)
            throw new InvalidDataException(
                $"{path}: wrong magic number {Convert.ToHexString(magic)}; expected 000008{expectedRank:X2} (unsigned-byte IDX, {expectedRank} dimensions).");
        if (magic[3] != expectedRank)
            throw new InvalidDataException($"{path}: has {magic[3]} dimensions; expected {expectedRank}.");

        var dimensions = new int[expectedRank];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < expectedRank; i++)
        {
            stream.ReadExactly(size);
            dimensions[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(size);
            if (dimensions[i] < 0)
                throw new InvalidDataException($"{path}: dimension {i} is {dimensions[i]}.");
            total *= dimensions[i];
            if (total > maxBytes)
                throw new InvalidDataException($"{path}: declares more than {maxBytes} bytes of data; refusing to allocate.");
        }
        var data = ReadAtMost(stream, total + 1);
        if (data.Length < total)
            throw new InvalidDataException($"{path}: truncated: {data.Length} bytes of data where the header declares {total}.");
        if (data.Length > total)
            throw new InvalidDataException($"{path}: trailing data after the {total} bytes its header declares.");
        return new Content(dimensions, data);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> bytes, with memory growing as data actually arrives: a header that
    /// declares gigabytes in a file of a few bytes costs nothing.
    /// </summary>
    private static byte[] ReadAtMost(Stream stream, long limit)
    {
        if (stream.CanSeek)
            limit = Math.Min(limit, stream.Length - stream.Position);
        var buffer = new byte[(int)Math.Min(limit, 1 << 20)];
        int filled = 0;
        while (filled < limit)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(limit, Math.Min((long)buffer.Length * 2, Array.MaxLength)));
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
                break;
            filled += read;
        }
        return filled == buffer.Length ? buffer : buffer[..filled];
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int read = file.Read(head);
        file.Position = 0;
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }
}
