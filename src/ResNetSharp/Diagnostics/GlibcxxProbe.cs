using System.Text;
using System.Text.RegularExpressions;

namespace ResNetSharp.Diagnostics;

/// <summary>Checks the C++ runtime in this process for the symbol version TorchSharp 0.107's native library needs.</summary>
internal static partial class GlibcxxProbe
{
    /// <summary>GCC 13's libstdc++; Debian 12 ships GCC 12's (3.4.30).</summary>
    public const string Required = "GLIBCXX_3.4.32";

    public static GlibcxxState Check()
    {
        if (!OperatingSystem.IsLinux())
            return new GlibcxxState(null, Required, null, null);
        string? library = MappedLibraries.Find("libstdc++") ?? SystemLibrary();
        if (library is null || !File.Exists(library))
            return new GlibcxxState(library, Required, null, null);
        string text = Encoding.Latin1.GetString(File.ReadAllBytes(library));
        var versions = Version().Matches(text).Select(m => int.Parse(m.Groups[1].Value)).Distinct().ToList();
        int required = int.Parse(Required[(Required.LastIndexOf('.') + 1)..]);
        return new GlibcxxState(library, Required, versions.Contains(required),
            versions.Count > 0 ? $"GLIBCXX_3.4.{versions.Max()}" : null);
    }

    private static string? SystemLibrary() =>
        new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"GLIBCXX_3\.4\.(\d+)")]
    private static partial Regex Version();
}
