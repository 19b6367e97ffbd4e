using ResNetSharp.Diagnostics;

namespace ResNetSharp.Cli.Output;

/// <summary>Writes an <see cref="EnvironmentReport"/> as aligned lines, then its problems with their fixes.</summary>
public static class DoctorText
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>.</summary>
    public static void Write(EnvironmentReport report, TextWriter output)
    {
        var r = report;
        var lines = new List<(string, string)>
        {
            (".NET", $"{r.Runtime.Framework} ({r.Runtime.Architecture}) on {r.Runtime.OperatingSystem}"),
            ("ResNetSharp", r.Runtime.ResNetSharp),
            ("TorchSharp", r.Runtime.TorchSharp),
            ("libtorch", r.LibTorch.Loaded
                ? $"{r.LibTorch.Version}{(r.LibTorch.CudaBuild ? " with CUDA" : ", CPU only")} from {r.LibTorch.Path ?? "(path unknown)"}" +
                  (r.LibTorch.CpuCapability is { } isa ? $"; CPU kernels: {isa}" : "")
                : $"did not load: {r.LibTorch.Error}"),
            ("C++ runtime", r.Glibcxx.Library is null ? "not checked (not Linux)"
                : $"{r.Glibcxx.Library}: newest {r.Glibcxx.Newest ?? "unknown"}, {r.Glibcxx.Required} {(r.Glibcxx.HasRequired is true ? "present" : "MISSING")}"),
            ("CPU", $"{r.Cpu.Model ?? "unknown"}; {r.Cpu.LogicalProcessors} logical processor(s)" +
                (r.Cpu.TorchThreads is { } t ? $", libtorch threads {t} (inter-op {r.Cpu.InteropThreads})" : "")),
            ("CPU features", $"{string.Join(" ", r.Cpu.Features)}; bf16 {(r.Cpu.NativeBf16 ? "native" : "emulated (slow)")}" +
                (r.Cpu.CacheTopologyHidden ? "; cache topology hidden by CPUID" : "")),
            ("oneDNN", $"{Switch(r.KernelLibraries.OneDnnEnabled)} ({r.KernelLibraries.OneDnnWhy})" +
                (r.KernelLibraries.OneDnnVersion is { } v ? $"; {v}" : "")),
            ("NNPACK", $"{Switch(r.KernelLibraries.NnpackEnabled)} ({r.KernelLibraries.NnpackWhy})"),
            ("CUDA", Cuda(r.Cuda)),
        };
        foreach (var gpu in r.Cuda.Devices)
            lines.Add(($"GPU {gpu.Index}", $"{gpu.Name}, {(gpu.MemoryBytes is { } m ? $"{m / (1024.0 * 1024 * 1024):F1} GiB" : "memory unknown")}, " +
                $"compute capability {gpu.ComputeCapability ?? "unknown"}, bf16 {(gpu.Bf16 is true ? "native" : gpu.Bf16 is false ? "emulated" : "unknown")}"));
        foreach (var dataset in r.Datasets)
            lines.Add(($"data {dataset.Name}", dataset.Folder ?? $"not found (looked in {string.Join(", ", dataset.Searched)})"));
        foreach (var cache in r.Caches)
            lines.Add(($"cache", $"{cache.Name}: {cache.Path} ({cache.Bytes / (1024.0 * 1024):F1} MiB; moved by {cache.SetBy})"));
        lines.Add(("training step", $"{r.TrainingStep.Device}: {(r.TrainingStep.Passed ? "passed" : $"FAILED: {r.TrainingStep.Error}")} in {r.TrainingStep.Seconds:F1} s"));

        int width = lines.Max(l => l.Item1.Length) + 2;
        foreach (var (label, text) in lines)
            output.WriteLine($"{label.PadRight(width)}{text}");
        output.WriteLine();
        foreach (var problem in r.Problems)
        {
            output.WriteLine($"{problem.Severity.ToString().ToLowerInvariant()}: {problem.What}");
            output.WriteLine($"  fix: {problem.Fix}");
        }
        output.WriteLine(r.Verdict);
    }

    private static string Switch(bool? enabled) => enabled switch { true => "on", false => "off", null => "unknown" };

    private static string Cuda(CudaState cuda) =>
        (cuda.Available ? "available" : "not available") +
        $"; driver {cuda.DriverVersion ?? "none"}" +
        (cuda.Available ? $"; cuDNN {(cuda.CudnnAvailable is true ? cuda.CudnnVersion ?? "available" : "not available")}" : "") +
        (cuda.Devices.Count == 0 ? "; no NVIDIA GPU listed" : "");
}
