using System.Runtime.InteropServices;

namespace ResNetSharp.Diagnostics;

/// <summary>
/// libtorch's own account of its build (<c>at::show_config()</c>, <c>at::get_mkldnn_version()</c>), which
/// TorchSharp does not expose. Both return a <c>std::string</c>, read here through the Itanium C++ ABI of
/// x86-64 Linux: the caller passes the result's storage as a hidden first argument, and libstdc++'s string
/// is {char* data; size_t length; char local[16] or capacity}. Elsewhere, or where the symbols do not
/// resolve, the answers are null.
/// </summary>
internal static unsafe class LibTorchBuild
{
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at11show_configB5cxx11Ev")]
    private static extern IntPtr ShowConfig(IntPtr result);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at18get_mkldnn_versionB5cxx11Ev")]
    private static extern IntPtr MkldnnVersion(IntPtr result);

    [DllImport("libstdc++.so.6", EntryPoint = "_ZdlPv")]
    private static extern void OperatorDelete(IntPtr memory);

    /// <summary>The text PyTorch prints as <c>torch.__config__.show()</c>.</summary>
    public static string? Config() => ReadString(ShowConfig);

    /// <summary>e.g. "Intel(R) MKL-DNN v3.7.1 (Git Hash ...)".</summary>
    public static string? OneDnnVersion() => ReadString(MkldnnVersion);

    /// <summary>The value of one KEY=VALUE entry of the config's "Build settings" line.</summary>
    public static string? Setting(string? config, string key)
    {
        if (config is null)
            return null;
        foreach (string entry in config.Split([',', '\n'], StringSplitOptions.TrimEntries))
        {
            string item = entry.StartsWith("- Build settings:", StringComparison.Ordinal) ? entry["- Build settings:".Length..].Trim() : entry;
            if (item.StartsWith(key + "=", StringComparison.Ordinal))
                return item[(key.Length + 1)..];
        }
        return null;
    }

    /// <summary>The text after "- LABEL:" on its line of the config, e.g. "CPU capability usage".</summary>
    public static string? Line(string? config, string label) =>
        config?.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith($"- {label}:", StringComparison.Ordinal))?[(label.Length + 3)..].Trim();

    private static string? ReadString(Func<IntPtr, IntPtr> function)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return null;
        byte* slot = stackalloc byte[32];
        try
        {
            function((IntPtr)slot);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        IntPtr data = *(IntPtr*)slot;
        long length = *(long*)(slot + 8);
        string text = Marshal.PtrToStringUTF8(data, checked((int)length));
        if (data != (IntPtr)(slot + 16)) // a long string lives on the heap, allocated by operator new
            OperatorDelete(data);
        return text;
    }
}
