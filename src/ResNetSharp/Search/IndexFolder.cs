using Cloud.Unum.USearch;
using ResNetSharp.Common;
using ResNetSharp.Interop;

namespace ResNetSharp.Search;

/// <summary>
/// The files of an index folder: the writer lock, one generation's data files (graph and paths), and the
/// removal of generations no longer named by index.json.
/// </summary>
internal static class IndexFolder
{
    private const string LockFile = "index.lock";

    /// <summary>Holds the folder's writer lock until disposed; a second writer gets an <see cref="IOException"/>.</summary>
    public static FileStream TakeWriterLock(string folder)
    {
        string path = Path.Combine(folder, LockFile);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"{folder} is being changed by another process ({path} is locked); wait for it to finish.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{folder} cannot be changed: {e.Message}", e);
        }
    }

    /// <summary>Removes what an index that was never saved left: its lock file, and the folder when it made it and it is now empty.</summary>
    public static void RemoveUnsaved(string folder, bool createdFolder)
    {
        TryDelete(Path.Combine(folder, LockFile));
        try
        {
            if (createdFolder && !Directory.EnumerateFileSystemEntries(folder).Any())
                Directory.Delete(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Writes generation <paramref name="generation"/>'s graph and paths files, each complete and flushed under
    /// its final name before it is returned (nothing names them until index.json does).
    /// </summary>
    public static (IndexFile Vectors, IndexFile Paths) WriteGeneration(string folder, long generation, USearchIndex graph, IReadOnlyList<string> paths)
    {
        string vectors = Path.Combine(folder, $"vectors-{generation:D6}.usearch");
        string temporary = Path.Combine(folder, $"{AtomicFile.TemporaryPrefix}vectors-{generation:D6}-{Guid.NewGuid():N}");
        try
        {
            graph.Save(temporary);
            using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
                written.Flush(flushToDisk: true);
            File.Move(temporary, vectors, overwrite: true);
        }
        catch (Exception e) when (e is USearchException or IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new IOException($"Could not write {vectors}: {e.Message}", e);
        }
        string pathsFile = Path.Combine(folder, $"paths-{generation:D6}.jsonl");
        PathsFile.Write(pathsFile, paths);
        return (IndexFile.Of(vectors), IndexFile.Of(pathsFile));
    }

    /// <summary>Deletes data files and leftovers of interrupted writes that <paramref name="current"/> does not name.</summary>
    public static void RemoveStaleFiles(string folder, ImageIndexManifest current)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            string name = Path.GetFileName(file);
            bool data = name.StartsWith("vectors-", StringComparison.Ordinal) || name.StartsWith("paths-", StringComparison.Ordinal)
                || name.StartsWith(AtomicFile.TemporaryPrefix, StringComparison.Ordinal);
            if (data && name != current.Vectors.File && name != current.Paths.File)
                TryDelete(file);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
