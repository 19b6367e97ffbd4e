namespace ResNetSharp.Data;

/// <summary>
/// Finds a dataset's files: an explicit --data-dir, then the per-user cache
/// (~/.cache/resnetsharp/NAME, or $RESNETSHARP_DATA/NAME), then system folders such as Debian's
/// /usr/share/datasets/fashion-mnist. Offline without the files, the error lists every place it looked.
/// </summary>
public static class DatasetLocator
{
    /// <summary>The per-user data cache.</summary>
    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("RESNETSHARP_DATA") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "resnetsharp");

    /// <summary>Folders searched for <paramref name="name"/>, in order.</summary>
    public static IReadOnlyList<string> Candidates(string name, string? dataDir)
    {
        var folders = new List<string>();
        if (dataDir is not null)
        {
            folders.Add(Path.Combine(dataDir, name));
            folders.Add(dataDir);
        }
        folders.Add(Path.Combine(CacheRoot, name));
        folders.Add(Path.Combine("/usr/share/datasets", name));
        return folders;
    }

    /// <summary>The first candidate folder for which <paramref name="hasFiles"/> holds.</summary>
    public static string Find(string name, string? dataDir, Func<string, bool> hasFiles, string howToGet)
    {
        var candidates = Candidates(name, dataDir);
        foreach (var folder in candidates)
            if (Directory.Exists(folder) && hasFiles(folder))
                return folder;
        throw new DirectoryNotFoundException(
            $"{name} not found; looked in: {string.Join(", ", candidates)}. {howToGet}");
    }
}
