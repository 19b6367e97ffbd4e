using ResNetSharp.IO;

namespace ResNetSharp.Common;

/// <summary>
/// Writes a file so that readers only ever see the old or the complete new content: a temporary file in
/// the same folder, flushed to disk, then renamed over the target. A failed write leaves the target as it was.
/// Only a regular file (or nothing) is replaced: a target that is a folder, a device, a FIFO or a socket is refused.
/// </summary>
public static class AtomicFile
{
    /// <summary>Prefix of temporary files; leftovers from a killed process can be removed by <see cref="CleanLeftovers"/>.</summary>
    public const string TemporaryPrefix = ".tmp-";

    /// <summary>Runs <paramref name="write"/> against a temporary stream, then replaces <paramref name="path"/> with it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        var target = FileProbe.Of(fullPath);
        if (target.Kind is not (FileKind.Missing or FileKind.Regular or FileKind.Inaccessible))
            throw new IOException($"Could not write {fullPath}: it is {FileProbe.Describe(target.Kind)}, not a regular file, and is left as it is.");
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $"{TemporaryPrefix}{Path.GetFileName(fullPath)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new IOException($"Could not write {fullPath}: {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Deletes temporary files a killed writer left in <paramref name="folder"/>; returns how many.</summary>
    public static int CleanLeftovers(string folder)
    {
        if (!Directory.Exists(folder))
            return 0;
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder, TemporaryPrefix + "*"))
            if (TryDelete(file))
                removed++;
        return removed;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
