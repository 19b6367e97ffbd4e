using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Diagnostics;

/// <summary>NVIDIA GPUs: what libtorch can use, and what the driver lists (nvidia-smi), which also shows a GPU a CPU-only libtorch cannot use.</summary>
internal static class CudaProbe
{
    public static CudaState Inspect(bool libTorchLoaded, string? libTorchConfig)
    {
        bool available = libTorchLoaded && Try(() => cuda.is_available());
        bool? cudnn = available ? Try(() => cuda.is_cudnn_available()) : null;
        string? cudnnVersion = available ? CudnnVersion() ?? LibTorchBuild.Line(libTorchConfig, "CuDNN") : null;
        var (driver, devices) = NvidiaSmi();
        driver ??= KernelModuleVersion();
        return new CudaState(available, driver, cudnn, cudnnVersion, devices);
    }

    private static bool Try(Func<bool> probe)
    {
        try
        {
            return probe();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>cudnnGetVersion() of the cuDNN beside libtorch: 9.x encodes major*10000 + minor*100 + patch, 8.x major*1000 + minor*100 + patch.</summary>
    private static unsafe string? CudnnVersion()
    {
        foreach (string name in new[] { "libcudnn.so.9", "libcudnn.so.8", "libcudnn.so", "cudnn64_9", "cudnn64_8" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(TorchSharp.torch).Assembly, null, out IntPtr handle)
                || !NativeLibrary.TryGetExport(handle, "cudnnGetVersion", out IntPtr export))
                continue;
            ulong v = ((delegate* unmanaged<nuint>)export)();
            return v >= 10000 ? $"{v / 10000}.{v % 10000 / 100}.{v % 100}" : $"{v / 1000}.{v % 1000 / 100}.{v % 100}";
        }
        return null;
    }

    private static (string? Driver, IReadOnlyList<GpuDevice> Devices) NvidiaSmi()
    {
        string? output = Run("nvidia-smi", "--query-gpu=index,name,memory.total,compute_cap,driver_version --format=csv,noheader,nounits");
        if (output is null)
            return (null, []);
        string? driver = null;
        var devices = new List<GpuDevice>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length < 5 || !int.TryParse(fields[0], out int index))
                continue;
            long? memory = long.TryParse(fields[2], out long mib) ? mib * 1024 * 1024 : null;
            string? capability = fields[3] is "" or "[N/A]" ? null : fields[3];
            bool? bf16 = double.TryParse(capability, NumberStyles.Float, CultureInfo.InvariantCulture, out double cc) ? cc >= 8.0 : null;
            devices.Add(new GpuDevice(index, fields[1], memory, capability, bf16));
            driver ??= fields[4];
        }
        return (driver, devices);
    }

    /// <summary>The driver version from /proc/driver/nvidia/version ("... Kernel Module  550.54.15  ...").</summary>
    private static string? KernelModuleVersion()
    {
        const string path = "/proc/driver/nvidia/version";
        if (!File.Exists(path))
            return null;
        string first = File.ReadLines(path).FirstOrDefault() ?? "";
        return first.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => w.Count(c => c == '.') >= 1 && char.IsDigit(w[0]));
    }

    private static string? Run(string program, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(15_000))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (System.ComponentModel.Win32Exception) // not installed
        {
            return null;
        }
    }
}
