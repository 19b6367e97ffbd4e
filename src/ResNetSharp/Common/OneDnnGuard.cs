using System.Runtime.Intrinsics.X86;

namespace ResNetSharp.Common;

/// <summary>
/// Turns off libtorch's oneDNN (mkldnn) CPU kernels where they are known to fail: on x86 machines whose
/// CPUID hides the cache topology (leaves 4 and 0x8000001D all zero, as in some virtual machines),
/// oneDNN 3.7 in libtorch 2.10 plans its kernels with a cache size of 0. There it was seen to kill the
/// process (SIGFPE planning a strided 1x1 convolution's backward pass) and, worse, to return non-finite
/// weight gradients for small convolutions. libtorch then uses its own convolution kernels: correct, and
/// about 4x slower on the CPU. GPUs are unaffected. NNPACK, which cannot initialise on such machines
/// either, is switched off there too, which silences libtorch's repeated warning about it.
/// </summary>
/// <remarks>
/// RESNETSHARP_MKLDNN=on or off overrides the detection. The switch is libtorch's
/// at::globalContext().setUserEnabledMkldnn, which TorchSharp does not expose; it is called through its
/// exported symbol and skipped where that does not resolve.
/// </remarks>
public static class OneDnnGuard
{
    private static readonly Lazy<string> Applied = new(Apply);

    /// <summary>What the guard decided, e.g. "oneDNN off: CPU cache topology hidden (CPUID)"; applies it on first use.</summary>
    public static string Status => Applied.Value;

    /// <summary>Applies the decision once per process (cheap after the first call).</summary>
    public static void EnsureApplied() => _ = Applied.Value;

    /// <summary>Whether this machine's CPUID hides the cache topology that oneDNN sizes its kernels by.</summary>
    public static bool CacheTopologyHidden()
    {
        if (!X86Base.IsSupported)
            return false;
        static bool LeafEmpty(uint leaf)
        {
            var (maxLeaf, _, _, _) = X86Base.CpuId(unchecked((int)(leaf & 0x8000_0000)), 0);
            if ((uint)maxLeaf < leaf)
                return true;
            var (eax, _, _, _) = X86Base.CpuId(unchecked((int)leaf), 0);
            return (eax & 0x1F) == 0; // cache type 0: no cache described
        }
        return LeafEmpty(4) && LeafEmpty(0x8000_001D);
    }

    private static string Apply()
    {
        // NNPACK reads the same CPUID leaves; where they are hidden it cannot initialise, and libtorch
        // then warns "Could not initialize NNPACK! Reason: Unsupported hardware." at every eligible convolution.
        if (CacheTopologyHidden())
            LibTorchContext.TryCall(context => { LibTorchContext.SetUserEnabledNNPACK(context, false); return true; });

        string? setting = Environment.GetEnvironmentVariable("RESNETSHARP_MKLDNN")?.Trim().ToLowerInvariant();
        bool? enable = setting switch
        {
            "on" or "1" or "true" => true,
            "off" or "0" or "false" => false,
            _ => CacheTopologyHidden() ? false : null,
        };
        if (enable is null)
            return "oneDNN on (libtorch default)";
        string why = setting is null ? "CPU cache topology hidden (CPUID)" : $"RESNETSHARP_MKLDNN={setting}";
        return LibTorchContext.TryCall(context => { LibTorchContext.SetUserEnabledMkldnn(context, enable.Value); return true; }) is null
            ? "oneDNN unchanged: libtorch's switch is not reachable"
            : $"oneDNN {(enable.Value ? "on" : "off")}: {why}";
    }

    /// <summary>Whether libtorch may use NNPACK, or null where its switch is not reachable.</summary>
    public static bool? IsNnpackEnabled()
    {
        EnsureApplied();
        return LibTorchContext.TryCall(LibTorchContext.UserEnabledNNPACK);
    }

    /// <summary>Whether libtorch currently uses oneDNN, or null where its switch is not reachable.</summary>
    public static bool? IsMkldnnEnabled()
    {
        EnsureApplied();
        return LibTorchContext.TryCall(LibTorchContext.UserEnabledMkldnn);
    }
}
