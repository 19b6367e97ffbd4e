using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>
/// Memory in use on a CUDA device (total minus free, from cudaMemGetInfo: the CUDA context plus what
/// libtorch's caching allocator holds, which it keeps at its peak). TorchSharp does not expose the
/// allocator's own statistics; the PyTorch reference reports the same quantity, so the two compare.
/// </summary>
public static class DeviceMemory
{
    private static readonly string[] RuntimeLibraries = ["libcudart.so.13", "libcudart.so.12", "libcudart.so", "cudart64_13", "cudart64_12"];

    /// <summary>Bytes in use on <paramref name="device"/>'s GPU, or null on the CPU or where the CUDA runtime cannot be reached.</summary>
    public static unsafe long? InUseBytes(Device device)
    {
        if (device.type != TorchSharp.DeviceType.CUDA)
            return null;
        foreach (var name in RuntimeLibraries)
        {
            if (!NativeLibrary.TryLoad(name, out var library) || !NativeLibrary.TryGetExport(library, "cudaMemGetInfo", out var function))
                continue;
            ulong free, total;
            var call = (delegate* unmanaged<ulong*, ulong*, int>)function;
            return call(&free, &total) == 0 ? (long)(total - free) : null;
        }
        return null;
    }
}
