namespace ResNetSharp.Diagnostics;

/// <summary>
/// What this machine and process can do for ResNetSharp (what <c>resnet doctor</c> prints): versions, where
/// libtorch was loaded from, CPU and GPU capabilities, the state of libtorch's CPU kernel libraries, the
/// C++ runtime, datasets and caches, and a verdict from a real training step. Made by <see cref="EnvironmentProbe"/>.
/// </summary>
/// <param name="Verdict">One line: whether training can run, where, and how many problems were found.</param>
/// <param name="CanTrain">Whether a training step ran and gave finite gradients on <see cref="TrainingStep"/>'s device.</param>
/// <param name="Problems">Each problem with what to do about it, errors first.</param>
/// <param name="Runtime">.NET, operating system and package versions.</param>
/// <param name="LibTorch">The native tensor library.</param>
/// <param name="Cpu">Processor, threads and instruction sets.</param>
/// <param name="KernelLibraries">oneDNN and NNPACK: whether libtorch uses them, and why.</param>
/// <param name="Cuda">NVIDIA GPUs, driver and cuDNN.</param>
/// <param name="Glibcxx">The C++ runtime libtorch needs.</param>
/// <param name="Datasets">Each catalog dataset: where its files were found, or where they were looked for.</param>
/// <param name="Caches">Per-user folders ResNetSharp writes to.</param>
/// <param name="TrainingStep">The training step the verdict rests on.</param>
public sealed record EnvironmentReport(
    string Verdict,
    bool CanTrain,
    IReadOnlyList<EnvironmentProblem> Problems,
    RuntimeVersions Runtime,
    LibTorchState LibTorch,
    CpuCapabilities Cpu,
    KernelLibraryState KernelLibraries,
    CudaState Cuda,
    GlibcxxState Glibcxx,
    IReadOnlyList<DatasetLocation> Datasets,
    IReadOnlyList<CacheFolder> Caches,
    TrainingStepCheck TrainingStep);

/// <summary>How much a problem matters.</summary>
public enum ProblemSeverity
{
    /// <summary>Training cannot run until it is fixed.</summary>
    Error,

    /// <summary>Training runs, but slower, with less, or with a surprise.</summary>
    Warning,
}

/// <summary>A problem <see cref="EnvironmentProbe"/> found, and what to do about it.</summary>
/// <param name="Severity">Whether it stops training.</param>
/// <param name="What">What is wrong.</param>
/// <param name="Fix">What to do.</param>
public sealed record EnvironmentProblem(ProblemSeverity Severity, string What, string Fix);

/// <summary>Versions of the runtime and of the packages in this process.</summary>
/// <param name="DotNet">The .NET runtime, e.g. "10.0.0".</param>
/// <param name="Framework">The runtime's own description, e.g. ".NET 10.0.0".</param>
/// <param name="OperatingSystem">The operating system's description.</param>
/// <param name="Architecture">The process architecture, e.g. "X64".</param>
/// <param name="ResNetSharp">This library's informational version (with its commit where built from git).</param>
/// <param name="TorchSharp">The TorchSharp assembly's informational version.</param>
public sealed record RuntimeVersions(string DotNet, string Framework, string OperatingSystem, string Architecture, string ResNetSharp, string TorchSharp);

/// <summary>The native tensor library (libtorch) as loaded by TorchSharp.</summary>
/// <param name="Loaded">Whether it loaded.</param>
/// <param name="Version">libtorch's version (TORCH_VERSION of its build, else the version TorchSharp expects).</param>
/// <param name="Path">The libtorch_cpu file this process mapped (Linux), or null where unknown.</param>
/// <param name="CudaBuild">Whether that libtorch includes CUDA (libtorch_cuda is loaded or its build says USE_CUDA=ON).</param>
/// <param name="CpuCapability">The vector instruction set libtorch's CPU kernels dispatch to, e.g. "AVX512".</param>
/// <param name="Error">Why it did not load, or null.</param>
public sealed record LibTorchState(bool Loaded, string? Version, string? Path, bool CudaBuild, string? CpuCapability, string? Error);

/// <summary>The processor as libtorch sees it.</summary>
/// <param name="Model">The processor's name, where the OS tells it.</param>
/// <param name="LogicalProcessors">Processors this process may use.</param>
/// <param name="TorchThreads">libtorch's intra-op threads (OMP_NUM_THREADS sets them), or null before libtorch loads.</param>
/// <param name="InteropThreads">libtorch's inter-op threads, or null.</param>
/// <param name="Features">Instruction sets that matter for tensor kernels (avx2, fma, avx512f, avx512_bf16, amx_bf16 …).</param>
/// <param name="CacheTopologyHidden">Whether CPUID hides the cache sizes (see <see cref="Common.OneDnnGuard"/>).</param>
/// <param name="NativeBf16">Whether the CPU has bfloat16 instructions (AVX512-BF16 or AMX); without them bf16 is emulated and slow.</param>
public sealed record CpuCapabilities(string? Model, int LogicalProcessors, int? TorchThreads, int? InteropThreads,
    IReadOnlyList<string> Features, bool CacheTopologyHidden, bool NativeBf16);

/// <summary>libtorch's optional CPU kernel libraries.</summary>
/// <param name="OneDnnEnabled">Whether libtorch uses oneDNN (mkldnn) now; null where unknown.</param>
/// <param name="OneDnnVersion">oneDNN's version in this libtorch, where it says.</param>
/// <param name="OneDnnWhy">Why it is on or off (<see cref="Common.OneDnnGuard.Status"/>).</param>
/// <param name="NnpackEnabled">Whether libtorch may use NNPACK now; null where unknown.</param>
/// <param name="NnpackWhy">Why.</param>
public sealed record KernelLibraryState(bool? OneDnnEnabled, string? OneDnnVersion, string OneDnnWhy, bool? NnpackEnabled, string NnpackWhy);

/// <summary>NVIDIA GPUs as libtorch and the driver see them.</summary>
/// <param name="Available">Whether libtorch can use CUDA.</param>
/// <param name="DriverVersion">The NVIDIA driver's version, where one is installed.</param>
/// <param name="CudnnAvailable">Whether libtorch can use cuDNN; null without CUDA.</param>
/// <param name="CudnnVersion">cuDNN's version, e.g. "9.10.2", where it loads.</param>
/// <param name="Devices">Each GPU the driver lists.</param>
public sealed record CudaState(bool Available, string? DriverVersion, bool? CudnnAvailable, string? CudnnVersion, IReadOnlyList<GpuDevice> Devices);

/// <summary>One GPU.</summary>
/// <param name="Index">CUDA device index.</param>
/// <param name="Name">The product name.</param>
/// <param name="MemoryBytes">Total memory.</param>
/// <param name="ComputeCapability">e.g. "9.0".</param>
/// <param name="Bf16">Whether it computes bfloat16 natively (compute capability 8.0 or newer).</param>
public sealed record GpuDevice(int Index, string Name, long? MemoryBytes, string? ComputeCapability, bool? Bf16);

/// <summary>The C++ runtime (libstdc++) in this process: TorchSharp 0.107's native library needs GLIBCXX_3.4.32 (GCC 13).</summary>
/// <param name="Library">The libstdc++ file in use, or null where there is none to check (not Linux).</param>
/// <param name="Required">The symbol version libtorch needs.</param>
/// <param name="HasRequired">Whether the library provides it; null where unchecked.</param>
/// <param name="Newest">The newest GLIBCXX version the library provides.</param>
public sealed record GlibcxxState(string? Library, string Required, bool? HasRequired, string? Newest);

/// <summary>Where a catalog dataset is.</summary>
/// <param name="Name">Catalog name.</param>
/// <param name="Folder">The folder its files were found in, or null.</param>
/// <param name="Searched">The folders looked in, in order.</param>
public sealed record DatasetLocation(string Name, string? Folder, IReadOnlyList<string> Searched);

/// <summary>A per-user folder ResNetSharp writes to.</summary>
/// <param name="Name">What it holds.</param>
/// <param name="Path">Where it is.</param>
/// <param name="Bytes">Its size (0 when absent).</param>
/// <param name="SetBy">The environment variable that moves it.</param>
public sealed record CacheFolder(string Name, string Path, long Bytes, string SetBy);

/// <summary>A few steps of training a tiny ResNet on random data: the evidence behind <see cref="EnvironmentReport.CanTrain"/>.</summary>
/// <param name="Device">Where it ran: "cpu" or "cuda:0".</param>
/// <param name="Passed">Whether the loss and every gradient were finite.</param>
/// <param name="Seconds">Wall time, libtorch's first-use costs included.</param>
/// <param name="Error">What went wrong, or null.</param>
public sealed record TrainingStepCheck(string Device, bool Passed, double Seconds, string? Error);
