using System.Reflection;
using System.Runtime.InteropServices;
using ResNetSharp.Common;
using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Diagnostics;

/// <summary>
/// Inspects this machine and process for ResNetSharp and says whether training can run, and what to do
/// about each problem found. Loading libtorch is part of the inspection: a libtorch that cannot load is
/// reported, never thrown.
/// </summary>
public static class EnvironmentProbe
{
    /// <summary>Inspects everything; takes a second or two (libtorch's first use and a tiny training step).</summary>
    /// <param name="dataDir">A dataset folder to search first, as the training tools' data folder.</param>
    public static EnvironmentReport Inspect(string? dataDir = null)
    {
        var glibcxx = GlibcxxProbe.Check();
        var (libTorch, config) = LoadLibTorch();
        var cpu = CpuProbe.Inspect(libTorch.Loaded);
        var kernels = KernelLibraries(libTorch.Loaded, cpu.CacheTopologyHidden);
        var cuda = CudaProbe.Inspect(libTorch.Loaded, config);
        var datasets = DatasetCatalog.Names
            .Select(name => new DatasetLocation(name, DatasetCatalog.Locate(name, dataDir), DatasetLocator.Candidates(name, dataDir)))
            .ToList();
        var caches = new List<CacheFolder> { Cache("datasets and downloads", DatasetLocator.CacheRoot, "RESNETSHARP_DATA") };
        var step = libTorch.Loaded
            ? TrainingStepProbe.Run(cuda.Available ? CUDA : CPU)
            : new TrainingStepCheck("cpu", false, 0, "libtorch did not load");
        var problems = EnvironmentVerdict.Problems(libTorch, glibcxx, kernels, cuda, datasets, step);
        return new EnvironmentReport(EnvironmentVerdict.Summary(step, problems, cpu, cuda), step.Passed, problems,
            Versions(), libTorch, cpu, kernels, cuda, glibcxx, datasets, caches, step);
    }

    private static (LibTorchState State, string? Config) LoadLibTorch()
    {
        var saved = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Null); // TorchSharp writes its load failure to standard output as well as throwing it
            InitializeDeviceType(TorchSharp.DeviceType.CPU);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (new LibTorchState(false, __version__, null, false, null, TrainingStepProbe.FirstLine(e.Message)), null);
        }
        finally
        {
            Console.SetOut(saved);
        }
        string? config = LibTorchBuild.Config();
        string version = LibTorchBuild.Setting(config, "TORCH_VERSION") ?? __version__;
        bool cudaBuild = MappedLibraries.Find("libtorch_cuda") is not null
            || LibTorchBuild.Setting(config, "USE_CUDA") is "ON" or "1";
        return (new LibTorchState(true, version, MappedLibraries.Find("libtorch_cpu"), cudaBuild,
            LibTorchBuild.Line(config, "CPU capability usage"), null), config);
    }

    private static KernelLibraryState KernelLibraries(bool loaded, bool cacheHidden)
    {
        if (!loaded)
            return new KernelLibraryState(null, null, "libtorch did not load", null, "libtorch did not load");
        // The guard's status reads "oneDNN off: REASON" or "oneDNN on (REASON)"; the report keeps the reason.
        string status = OneDnnGuard.Status;
        string oneDnnWhy = status.Contains(": ", StringComparison.Ordinal) ? status[(status.IndexOf(": ", StringComparison.Ordinal) + 2)..]
            : status.Contains('(') ? status[(status.IndexOf('(') + 1)..].TrimEnd(')') : status;
        string? oneDnnVersion = LibTorchBuild.OneDnnVersion();
        bool? nnpack = OneDnnGuard.IsNnpackEnabled();
        string nnpackWhy = cacheHidden
            ? "NNPACK cannot initialise where CPUID hides the cache topology"
            : nnpack is false ? "off in this libtorch" : "libtorch default";
        return new KernelLibraryState(OneDnnGuard.IsMkldnnEnabled(), string.IsNullOrWhiteSpace(oneDnnVersion) ? null : oneDnnVersion.Trim(),
            oneDnnWhy, nnpack, nnpackWhy);
    }

    private static RuntimeVersions Versions() => new(
        Environment.Version.ToString(), RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(), InformationalVersion(typeof(EnvironmentProbe).Assembly),
        InformationalVersion(typeof(TorchSharp.torch).Assembly));

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    private static CacheFolder Cache(string name, string path, string setBy)
    {
        long bytes = 0;
        if (Directory.Exists(path))
        {
            try
            {
                bytes = new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Sum(f => f.Length);
            }
            catch (IOException)
            {
            }
        }
        return new CacheFolder(name, path, bytes, setBy);
    }
}
