using System.Runtime.InteropServices;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// The memory of this process as Linux reports it (/proc/self/status), a resettable peak, and a hard cap
/// on its address space, so that a reader under test can be measured and cannot take the machine down.
/// </summary>
internal static class ProcessMemory
{
    private const int AddressSpaceLimit = 9; // RLIMIT_AS on every Linux architecture

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    private delegate int SetResourceLimit(int resource, ref ResourceLimit limit);

    /// <summary>Resident bytes now (VmRSS).</summary>
    public static long Resident() => StatusField("VmRSS");

    /// <summary>The highest resident bytes since the last <see cref="ResetPeak"/> (VmHWM).</summary>
    public static long PeakResident() => StatusField("VmHWM");

    /// <summary>Mapped address space now (VmSize).</summary>
    public static long AddressSpace() => StatusField("VmSize");

    /// <summary>Starts a new peak: the kernel sets VmHWM back to the current resident size.</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>
    /// Caps the address space at <paramref name="bytes"/> (setrlimit RLIMIT_AS): past it, native and managed
    /// allocations fail instead of growing. Set after start-up, since .NET reserves its heap range early.
    /// </summary>
    public static void LimitAddressSpace(long bytes)
    {
        var address = NativeLibrary.GetExport(NativeLibrary.GetMainProgramHandle(), "setrlimit");
        var limit = new ResourceLimit { Current = (ulong)bytes, Maximum = (ulong)bytes };
        if (Marshal.GetDelegateForFunctionPointer<SetResourceLimit>(address)(AddressSpaceLimit, ref limit) != 0)
            throw new InvalidOperationException($"setrlimit(RLIMIT_AS, {bytes}) failed: errno {Marshal.GetLastSystemError()}");
    }

    private static long StatusField(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
                return long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {name}");
    }
}
