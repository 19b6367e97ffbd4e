namespace ResNetSharp.Diagnostics;

/// <summary>The shared libraries this process has mapped, from /proc/self/maps (Linux; elsewhere nothing is found).</summary>
internal static class MappedLibraries
{
    /// <summary>The path of the first mapped library whose file name starts with <paramref name="stem"/>".so" (e.g. "libtorch_cpu").</summary>
    public static string? Find(string stem)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
            return null;
        foreach (string line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/');
            if (slash < 0)
                continue;
            string path = line[slash..].Trim();
            if (Path.GetFileName(path).StartsWith(stem + ".so", StringComparison.Ordinal))
                return path;
        }
        return null;
    }
}
