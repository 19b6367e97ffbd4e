using System.Runtime.InteropServices;

namespace ResNetSharp.Common;

/// <summary>
/// Switches on libtorch's global context (<c>at::globalContext()</c>) that TorchSharp does not expose,
/// called through libtorch_cpu's exported C++ symbols (Itanium ABI: Linux and macOS). Callers catch
/// <see cref="DllNotFoundException"/> and <see cref="EntryPointNotFoundException"/> where they do not resolve.
/// </summary>
internal static class LibTorchContext
{
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    public static extern IntPtr Global();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    public static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    public static extern void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool UserEnabledNNPACK(IntPtr context);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context17setBenchmarkCuDNNEb")]
    public static extern void SetBenchmarkCuDNN(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context14benchmarkCuDNNEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool BenchmarkCuDNN(IntPtr context);

    /// <summary>Runs <paramref name="call"/> on the global context; null where libtorch's symbols do not resolve.</summary>
    public static T? TryCall<T>(Func<IntPtr, T> call) where T : struct
    {
        try
        {
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
            return call(Global());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
