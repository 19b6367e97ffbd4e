using System.Runtime.Intrinsics.X86;
using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Diagnostics;

/// <summary>The processor: name, threads and the instruction sets that decide tensor-kernel speed.</summary>
internal static class CpuProbe
{
    /// <summary>Flags of /proc/cpuinfo worth reporting for tensor kernels, in the order printed.</summary>
    private static readonly string[] Relevant =
    [
        "sse4_2", "avx", "f16c", "fma", "avx2", "avx_vnni", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
        "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8", "asimd", "sve", "bf16",
    ];

    public static CpuCapabilities Inspect(bool libTorchLoaded)
    {
        var (model, flags) = ProcCpuInfo();
        var features = flags is null ? IntrinsicsFeatures() : Relevant.Where(flags.Contains).ToList();
        bool nativeBf16 = features.Contains("avx512_bf16") || features.Contains("amx_bf16") || features.Contains("bf16");
        return new CpuCapabilities(model, Environment.ProcessorCount,
            libTorchLoaded ? get_num_threads() : null, libTorchLoaded ? get_num_interop_threads() : null,
            features, OneDnnGuard.CacheTopologyHidden(), nativeBf16);
    }

    private static (string? Model, HashSet<string>? Flags) ProcCpuInfo()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
            return (null, null);
        string? model = null;
        HashSet<string>? flags = null;
        foreach (string line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (model is null && key is "model name" or "Model name")
                model = value;
            else if (flags is null && key is "flags" or "Features")
                flags = [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            if (model is not null && flags is not null)
                break;
        }
        return (model, flags);
    }

    private static List<string> IntrinsicsFeatures()
    {
        var found = new List<string>();
        if (Sse42.IsSupported) found.Add("sse4_2");
        if (Avx.IsSupported) found.Add("avx");
        if (Fma.IsSupported) found.Add("fma");
        if (Avx2.IsSupported) found.Add("avx2");
        if (AvxVnni.IsSupported) found.Add("avx_vnni");
        if (Avx512F.IsSupported) found.Add("avx512f");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) found.Add("asimd");
        return found;
    }
}
