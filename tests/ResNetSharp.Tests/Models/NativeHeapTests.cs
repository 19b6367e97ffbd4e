using System.Runtime.InteropServices;
using ResNetSharp.Common;
using ResNetSharp.Models;

namespace ResNetSharp.Tests.Models;

public class NativeHeapTests
{
    /// <summary>glibc's struct mallinfo2: ten size_t counters; HeldInMappings is hblkhd, the bytes in blocks served by mmap.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint Arena, OrdinaryBlocks, SmallBlocks, Mappings, HeldInMappings, UsedSmallBlocks, FreeSmallBlocks, Used, Free, Releasable;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate MallocInfo MallInfo2();

    [Fact]
    public void OnceANetworkIsBuiltABlockOverGlibcsMmapThresholdComesFromTheHeap()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "mallinfo2", out var address)
            || Environment.GetEnvironmentVariable("RESNETSHARP_MALLOC") is not null)
            return; // glibc 2.33 or later, with the default setting; CI's Debian has both
        var info = Marshal.GetDelegateForFunctionPointer<MallInfo2>(address);
        using var model = ModelCatalog.Create("resnet20"); // building a network applies the setting

        // Over glibc's largest mmap threshold (32 MiB), where by default a block is always a fresh mapping, and under the
        // 64 MiB a thread's own arena can hold (a test runs off the main thread; larger blocks are mapped there whatever the setting).
        const int Size = 48 << 20;
        nuint mapped = info().HeldInMappings;
        IntPtr block = Marshal.AllocHGlobal(Size); // malloc on Linux
        nuint mappedWhileHeld = info().HeldInMappings;
        Marshal.FreeHGlobal(block);
        Assert.True(mappedWhileHeld < mapped + (nuint)Size, $"the 48 MiB block was mapped: {mapped:N0} -> {mappedWhileHeld:N0} bytes in mappings");
        Assert.Equal("malloc keeps freed blocks", NativeHeap.Status); // read last: reading it applies the setting
    }
}
