using ResNetSharp.Common;

namespace ResNetSharp.Diagnostics;

/// <summary>Turns what <see cref="EnvironmentProbe"/> saw into problems with fixes, and a one-line verdict.</summary>
internal static class EnvironmentVerdict
{
    /// <summary>The dataset the training tools use when none is named.</summary>
    private const string DefaultDataset = "fashion-mnist";

    public static IReadOnlyList<EnvironmentProblem> Problems(LibTorchState libTorch, GlibcxxState glibcxx, KernelLibraryState kernels,
        CudaState cuda, IReadOnlyList<DatasetLocation> datasets, TrainingStepCheck step)
    {
        var problems = new List<EnvironmentProblem>();
        void Error(string what, string fix) => problems.Add(new(ProblemSeverity.Error, what, fix));
        void Warning(string what, string fix) => problems.Add(new(ProblemSeverity.Warning, what, fix));

        if (glibcxx.HasRequired is false)
            Error($"{glibcxx.Library} provides only {glibcxx.Newest}; libtorch needs {glibcxx.Required} (libstdc++ of GCC 13 or newer)",
                "install libstdc++6 from GCC 13 or newer: Ubuntu 24.04+, Debian 13+ and Fedora 39+ have it; on Debian 12, ResNetSharp's tools/install-prerequisites.sh takes it from Debian 13");
        if (!libTorch.Loaded)
            Error($"libtorch did not load: {libTorch.Error}",
                glibcxx.HasRequired is false ? "fix the libstdc++ problem above"
                    : "reference a backend package beside ResNetSharp (TorchSharp-cpu or TorchSharp-cuda-linux, the TorchSharp version ResNetSharp uses), " +
                      "or load a PyTorch install's libtorch (LD_LIBRARY_PATH=<site-packages>/torch/lib)");
        else if (!step.Passed)
            Error($"a training step on {step.Device} failed: {step.Error}",
                step.Device == "cpu" ? "try RESNETSHARP_MKLDNN=off (libtorch's own convolution kernels); if it persists, report this output"
                    : "check the driver and that no other process holds the GPU's memory; if it persists, report this output");

        if (libTorch.Loaded && kernels.OneDnnEnabled is false)
            Warning($"oneDNN is off ({kernels.OneDnnWhy}): CPU convolutions use libtorch's fallback kernels, about 4x slower",
                kernels.OneDnnWhy.Contains("RESNETSHARP_MKLDNN", StringComparison.Ordinal)
                    ? "unset RESNETSHARP_MKLDNN to let ResNetSharp decide"
                    : "nothing to do on this machine (a GPU avoids it); RESNETSHARP_MKLDNN=on forces oneDNN back on, at the risk of crashes");
        if (libTorch.Loaded && !cuda.Available && cuda.Devices.Count > 0)
            Warning($"{cuda.Devices.Count} NVIDIA GPU(s) present ({cuda.Devices[0].Name}) but this libtorch {(libTorch.CudaBuild ? "cannot use CUDA" : "is CPU-only")}",
                libTorch.CudaBuild ? $"check the driver (found {cuda.DriverVersion ?? "none"}) against libtorch's CUDA version"
                    : "build with -p:TorchBackend=cuda, or reference TorchSharp-cuda-linux instead of TorchSharp-cpu");
        if (cuda.Available && cuda.CudnnAvailable is false)
            Warning("CUDA works but cuDNN does not load: convolutions will be slow", "install cuDNN 9 for libtorch's CUDA version, or use TorchSharp-cuda-linux, which ships it");
        if (datasets.FirstOrDefault(d => d.Name == DefaultDataset) is { Folder: null } missing)
            Warning($"{DefaultDataset} (the default training data) was not found; looked in {string.Join(", ", missing.Searched)}",
                $"install Debian's dataset-fashion-mnist package, put its four IDX files in {missing.Searched[^2]}, or download them (resnet train --download)");
        return problems;
    }

    public static string Summary(TrainingStepCheck step, IReadOnlyList<EnvironmentProblem> problems, CpuCapabilities cpu, CudaState cuda)
    {
        int errors = problems.Count(p => p.Severity == ProblemSeverity.Error), warnings = problems.Count - errors;
        string counts = string.Join(", ", new[] { Count(errors, "error"), Count(warnings, "warning") }.Where(c => c.Length > 0));
        if (!step.Passed)
            return $"not ready: training cannot run ({counts})";
        string where = step.Device == "cpu"
            ? $"cpu, {cpu.TorchThreads} thread(s)"
            : $"{step.Device}{(cuda.Devices.FirstOrDefault() is { } gpu ? $" ({gpu.Name})" : "")}";
        return warnings == 0 ? $"ready: training runs on {where}" : $"ready: training runs on {where} ({counts})";
    }

    private static string Count(int n, string what) => n == 0 ? "" : $"{n} {what}{(n == 1 ? "" : "s")}";
}
