using System.Formats.Tar;
using System.IO.Compression;
using ResNetSharp.IO;

namespace ResNetSharp.Data.Download;

/// <summary>
/// Extracts .tar.gz archives defensively: members with absolute paths, <c>..</c> segments, links or
/// device files are refused, and the total of the sizes the members declare is capped before
/// anything is written. Extraction goes to a temporary folder next to the target, which is renamed
/// into place only when complete, so an interrupted extraction never looks finished. Nothing already in
/// the target is replaced: a top-level entry whose name is taken is an error, and nothing is moved.
/// </summary>
public static class SafeArchiveExtractor
{
    private const int MaxEntries = 100_000;

    /// <summary>Extracts <paramref name="archive"/> so its top-level entries end up inside <paramref name="target"/>.</summary>
    public static void ExtractTarGz(string archive, string target, long maxTotalBytes)
    {
        string parent = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(parent);
        string partial = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(partial);
        try
        {
            using (var file = InputFile.OpenRead(archive, "Archive"))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                CheckMetadataSizes(gzip, archive);
            using (var file = InputFile.OpenRead(archive, "Archive"))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                ExtractTar(gzip, partial, archive, maxTotalBytes);
            Directory.CreateDirectory(target);
            var entries = Directory.EnumerateFileSystemEntries(partial).ToList();
            var taken = entries.Select(e => Path.Combine(target, Path.GetFileName(e)))
                .FirstOrDefault(d => FileProbe.Of(d).Kind != FileKind.Missing || new FileInfo(d).LinkTarget is not null);
            if (taken is not null)
                throw new IOException($"{archive} holds '{Path.GetFileName(taken)}', but {taken} already exists; it is left as it is. Move it away to extract the archive.");
            foreach (var entry in entries)
                Directory.Move(entry, Path.Combine(target, Path.GetFileName(entry)));
        }
        finally
        {
            if (Directory.Exists(partial))
                Directory.Delete(partial, recursive: true);
        }
    }

    private static void ExtractTar(Stream tar, string root, string archive, long maxTotalBytes)
    {
        using var reader = new TarReader(tar);
        long total = 0;
        int entries = 0;
        string rootWithSeparator = Path.GetFullPath(root) + Path.DirectorySeparatorChar;
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                string name = entry.Name;
                if (++entries > MaxEntries)
                    throw Refuse(archive, name, $"is past the {MaxEntries} members this extractor accepts");
                if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                    throw Refuse(archive, name, $"is a link to '{entry.LinkName}'; links are not extracted");
                if (name.Length == 0 || name.Contains('\0'))
                    throw Refuse(archive, name.Replace('\0', '?'), "has an empty name or a NUL character in it");
                if (Path.IsPathRooted(name) || name.Split('/', '\\').Contains(".."))
                    throw Refuse(archive, name, "has an absolute path or '..'; it would land outside the target folder");
                string destination = Path.GetFullPath(Path.Combine(root, name));
                if (!destination.StartsWith(rootWithSeparator, StringComparison.Ordinal) && destination + Path.DirectorySeparatorChar != rootWithSeparator)
                    throw Refuse(archive, name, "resolves outside the target folder");
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        if (File.Exists(destination))
                            throw Refuse(archive, name, "is a folder where the archive already has a file of that name");
                        Directory.CreateDirectory(destination);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        total += entry.Length;
                        if (entry.Length < 0 || total > maxTotalBytes)
                            throw Refuse(archive, name, $"takes the archive past {maxTotalBytes} bytes, more than this dataset can hold");
                        if (name.EndsWith('/') || Directory.Exists(destination))
                            throw Refuse(archive, name, "is a file with a folder's name");
                        if (File.Exists(Path.GetDirectoryName(destination)))
                            throw Refuse(archive, name, "lies inside a name the archive already used for a file");
                        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                        WriteMember(entry, destination, archive, name);
                        break;
                    default:
                        throw Refuse(archive, name, $"is a {entry.EntryType} entry; only files and folders are extracted");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or OverflowException && e is not ArchiveFormatException)
        {
            throw new ArchiveFormatException(archive, $"damaged archive ({e.Message})");
        }
    }

    /// <summary>
    /// A first pass over the 512-byte tar headers: .NET's TarReader allocates the whole declared size of a
    /// PAX or GNU long-name header, so those are refused above 1 MB before it sees them.
    /// </summary>
    private static void CheckMetadataSizes(Stream tar, string archive)
    {
        const long MaxMetadataBytes = 1 << 20;
        var header = new byte[512];
        var skip = new byte[1 << 16];
        try
        {
            while (true)
            {
                int read = tar.ReadAtLeast(header, 512, throwOnEndOfStream: false);
                if (read < 512 || header.All(b => b == 0))
                    return;
                long size = HeaderSize(header);
                if (size < 0)
                    return; // not a header this pass understands; the extraction pass reports it
                if (header[156] is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K' && size > MaxMetadataBytes)
                    throw new ArchiveFormatException(archive, $"a metadata header declares {size} bytes, over the {MaxMetadataBytes} accepted");
                for (long left = (size + 511) / 512 * 512; left > 0;)
                {
                    int n = tar.Read(skip, 0, (int)Math.Min(skip.Length, left));
                    if (n == 0)
                        return;
                    left -= n;
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException(archive, $"damaged archive ({e.Message})");
        }
    }

    /// <summary>The size field: octal digits, or base-256 when the high bit is set; -1 when unreadable.</summary>
    private static long HeaderSize(byte[] header)
    {
        var field = header.AsSpan(124, 12);
        if ((field[0] & 0x80) != 0)
        {
            long value = 0;
            for (int i = 1; i < field.Length; i++)
            {
                if (value > long.MaxValue >> 8)
                    return long.MaxValue;
                value = value << 8 | field[i];
            }
            return value;
        }
        long octal = 0;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ')
                continue;
            if (b < '0' || b > '7')
                return -1;
            octal = octal * 8 + (b - '0');
        }
        return octal;
    }

    private static void WriteMember(TarEntry entry, string destination, string archive, string name)
    {
        FileStream output;
        try
        {
            output = File.Create(destination);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Refuse(archive, name, $"cannot be created ({e.Message})");
        }
        using (output)
            if (entry.DataStream is { } data)
                CopyExactly(data, output, entry.Length, archive, name);
    }

    private static void CopyExactly(Stream source, Stream destination, long length, string archive, string name)
    {
        var buffer = new byte[1 << 16];
        long left = length;
        while (left > 0)
        {
            int read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
                throw Refuse(archive, name, $"ends {left} bytes before its declared size of {length}");
            destination.Write(buffer, 0, read);
            left -= read;
        }
    }

    private static ArchiveFormatException Refuse(string archive, string member, string why) =>
        new(archive, $"member '{member}' {why}");
}

/// <summary>An archive that is damaged or holds a member that is refused; the message names the archive and member.</summary>
public sealed class ArchiveFormatException(string path, string problem) : FormatException($"{path}: {problem}")
{
    /// <summary>The archive.</summary>
    public string Path { get; } = path;
}
