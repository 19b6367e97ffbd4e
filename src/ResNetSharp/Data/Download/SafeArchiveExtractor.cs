using System.Formats.Tar;
using System.IO.Compression;

namespace ResNetSharp.Data.Download;

/// <summary>
/// Extracts .tar.gz archives defensively: members with absolute paths, <c>..</c> segments, links or
/// device files are refused, and the total of the sizes the members declare is capped before
/// anything is written. Extraction goes to a temporary folder next to the target, which is renamed
/// into place only when complete, so an interrupted extraction never looks finished.
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
            using (var file = File.OpenRead(archive))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                ExtractTar(gzip, partial, archive, maxTotalBytes);
            Directory.CreateDirectory(target);
            foreach (var entry in Directory.EnumerateFileSystemEntries(partial))
            {
                string destination = Path.Combine(target, Path.GetFileName(entry));
                if (Directory.Exists(destination))
                    Directory.Delete(destination, recursive: true);
                else if (File.Exists(destination))
                    File.Delete(destination);
                Directory.Move(entry, destination);
            }
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
                if (Path.IsPathRooted(name) || name.Split('/', '\\').Contains(".."))
                    throw Refuse(archive, name, "has an absolute path or '..'; it would land outside the target folder");
                string destination = Path.GetFullPath(Path.Combine(root, name));
                if (!destination.StartsWith(rootWithSeparator, StringComparison.Ordinal) && destination + Path.DirectorySeparatorChar != rootWithSeparator)
                    throw Refuse(archive, name, "resolves outside the target folder");
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(destination);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        total += entry.Length;
                        if (entry.Length < 0 || total > maxTotalBytes)
                            throw Refuse(archive, name, $"takes the archive past {maxTotalBytes} bytes, more than this dataset can hold");
                        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                        using (var output = File.Create(destination))
                            if (entry.DataStream is { } data)
                                CopyExactly(data, output, entry.Length, archive, name);
                        break;
                    default:
                        throw Refuse(archive, name, $"is a {entry.EntryType} entry; only files and folders are extracted");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException && e is not ArchiveFormatException)
        {
            throw new ArchiveFormatException(archive, $"damaged archive ({e.Message})");
        }
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
