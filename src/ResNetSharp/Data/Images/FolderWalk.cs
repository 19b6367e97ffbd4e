using ResNetSharp.IO;

namespace ResNetSharp.Data.Images;

/// <summary>
/// The regular files under a folder, found recursively. Symbolic links to folders are followed, but each
/// real folder is entered once (a visited set of device and inode), so a link loop ends instead of
/// multiplying paths; FIFOs, devices, sockets and dangling links are left out, since opening them would
/// block or never end.
/// </summary>
internal static class FolderWalk
{
    private static readonly EnumerationOptions OneLevel = new() { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };

    /// <summary>Full paths of the regular files under <paramref name="root"/> whose names pass <paramref name="include"/>, in no particular order.</summary>
    public static List<string> RegularFiles(string root, Func<string, bool> include)
    {
        var files = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        if (Enter(root, visited))
            pending.Push(root);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", OneLevel))
            {
                bool candidate = include(entry);
                if (!candidate && !Directory.Exists(entry))
                    continue;
                var probe = FileProbe.Of(entry);
                if (probe.Kind == FileKind.Directory)
                {
                    if (visited.Add(probe.Identity))
                        pending.Push(entry);
                }
                else if (probe.Kind == FileKind.Regular && candidate)
                    files.Add(entry);
            }
        }
        return files;
    }

    /// <summary>The names of the folders directly inside <paramref name="root"/> (links to folders included), for class folders.</summary>
    public static List<string> SubfolderNames(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", OneLevel)
            .Where(entry => FileProbe.Of(entry).Kind == FileKind.Directory)
            .Select(Path.GetFileName).OfType<string>().ToList();

    private static bool Enter(string folder, HashSet<string> visited) => visited.Add(FileProbe.Of(folder).Identity);
}
