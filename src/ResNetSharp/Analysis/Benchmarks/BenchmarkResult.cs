namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>One benchmark measurement and the settings that produced it (what <c>resnet bench --json</c> prints).</summary>
/// <param name="Engine">"torchsharp" or "onnxruntime".</param>
/// <param name="Model">Catalog name or spec file.</param>
/// <param name="Mode">"train" or "infer".</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Input">Sample shape, CxHxW.</param>
/// <param name="Precision">fp32, bf16 or fp16.</param>
/// <param name="Device">Where it ran.</param>
/// <param name="Threads">CPU threads the engine used.</param>
/// <param name="WarmupSteps">Untimed steps first.</param>
/// <param name="Steps">Timed steps.</param>
/// <param name="Seconds">Wall time of the timed steps.</param>
/// <param name="ImagesPerSecond">Batch * steps / seconds.</param>
/// <param name="MillisecondsPerStep">Seconds / steps, in milliseconds (the latency at batch 1).</param>
/// <param name="PeakHostMemoryBytes">The process's peak resident memory so far.</param>
/// <param name="ChannelsLast">NHWC inputs and weights.</param>
/// <param name="DeviceMemoryInUseBytes">GPU memory in use after the timed steps (see <see cref="DeviceMemory"/>); null on the CPU.</param>
/// <param name="Notes">Anything that changes how to read the figure (e.g. oneDNN switched off).</param>
public sealed record BenchmarkResult(string Engine, string Model, string Mode, int Batch, string Input, string Precision, string Device,
    int Threads, int WarmupSteps, int Steps, double Seconds, double ImagesPerSecond, double MillisecondsPerStep, long PeakHostMemoryBytes,
    bool ChannelsLast, long? DeviceMemoryInUseBytes, string Notes);
