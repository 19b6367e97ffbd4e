using System.Runtime.InteropServices;

namespace ResNetSharp.Common;

/// <summary>
/// Keeps libtorch's large CPU buffers in the process instead of handing them back to the system at every free.
/// glibc's malloc serves a block over its mmap threshold (at most 32 MiB) with a fresh mmap and unmaps it on free,
/// so a CPU network whose convolution buffers exceed that (resnet20 from batch 64 on) faults every page of them in
/// again at every step. Where page faults are dear, as in virtual machines, that cost most of the step: on this
/// project's 2-core VM resnet20 trained at 31 images/s at batch 128 instead of 170 (bench/RESULTS.md). Here malloc
/// serves every block from its heaps (M_MMAP_MAX 0) and keeps freed memory for reuse (M_TRIM_THRESHOLD at its
/// largest), as PyTorch's caching allocator does on GPUs; the process keeps the memory of its largest step.
/// This helps on the process's main thread, whose arena is the one heap glibc never unmaps (resnet train and bench run
/// there). Other threads' arenas still unmap a heap once it is empty; a program that trains on another thread gets the
/// same effect by starting with MALLOC_ARENA_MAX=1.
/// </summary>
/// <remarks>
/// RESNETSHARP_MALLOC=default leaves malloc as it is. The switch is glibc's mallopt, looked up in the process's own
/// symbols; where it is absent (another C library, another system) nothing changes.
/// </remarks>
public static class NativeHeap
{
    private const int TrimThreshold = -1, MmapMax = -4; // M_TRIM_THRESHOLD, M_MMAP_MAX in glibc's malloc.h

    private static readonly Lazy<string> Applied = new(Apply);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Mallopt(int parameter, int value);

    /// <summary>What was done, e.g. "malloc keeps freed blocks"; applies it on first use.</summary>
    public static string Status => Applied.Value;

    /// <summary>Applies the setting once per process (cheap after the first call).</summary>
    public static void EnsureApplied() => _ = Applied.Value;

    private static string Apply()
    {
        if (Environment.GetEnvironmentVariable("RESNETSHARP_MALLOC")?.Trim().ToLowerInvariant() == "default")
            return "malloc unchanged: RESNETSHARP_MALLOC=default";
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "mallopt", out var address))
            return "malloc unchanged: no mallopt";
        var mallopt = Marshal.GetDelegateForFunctionPointer<Mallopt>(address);
        bool done = mallopt(MmapMax, 0) == 1 & mallopt(TrimThreshold, int.MaxValue) == 1;
        return done ? "malloc keeps freed blocks" : "malloc unchanged: mallopt refused";
    }
}
