using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Analysis.Benchmarks;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Common;
using ResNetSharp.Inference;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet bench: steady-state images/s of a training or inference step with TorchSharp, or of inference with ONNX Runtime.</summary>
public static class BenchCommand
{
    /// <summary>The largest step input: 1 GiB of float32 (a batch of 5,000 ImageNet images).</summary>
    private const long MaxInputValues = 1L << 28;

    /// <summary>More threads than four per core only adds waiting (and libtorch can hang creating tens of thousands).</summary>
    private static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new ModelSelection();
        var mode = new ChoiceOption("--mode", "What to time: train or infer steps, optimizer (zero grads + SGD step alone, packed and per parameter), diagnostics (a training step versus the per-part gradient norms and dead units it adds), augment (on-device batch augmentation) or decode (image decoding and random-resized crops from --folder)",
            ["train", "infer", "optimizer", "diagnostics", "augment", "decode"], "train");
        var folder = new Option<string?>("--folder") { Description = "Images to decode with --mode decode (searched recursively)" };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Images per step", DefaultValueFactory = _ => 64 };
        var input = new Option<string?>("--input") { Description = "Sample shape CxHxW [default: 3x32x32 for CIFAR-stem models, else 3x224x224]" };
        var precision = new EnumOption<Precision>("--precision", "Compute precision: bf16/fp16 are mixed precision (fp32 weights, as autocast; fp16 training with loss scaling)", Precision.Fp32);
        var channelsLast = new Option<bool>("--channels-last") { Description = "NHWC inputs and convolution weights" };
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before timing", DefaultValueFactory = _ => 5 };
        var engine = new ChoiceOption("--engine", "TorchSharp, or ONNX Runtime (inference on the CPU from an ONNX export)", ["torchsharp", "onnxruntime"], "torchsharp");
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the engine [default: the engine's own choice]" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("bench", "Measure training or inference throughput");
        model.AddTo(command);
        foreach (var option in new Option[] { mode, folder, batch, input, precision, channelsLast, steps, warmup, engine, device, threads, json })
            command.Add(option);
        command.SetAction(parsed =>
        {
            var shape = parsed.GetValue(input) is { } text ? InputShape.Parse(text, "--input") : (InputShape?)null;
            string chosenMode = parsed.GetValue(mode)!;
            bool dataMode = chosenMode is "augment" or "decode";
            // The data modes run no model: no --model, fp32 and the default layout.
            var (name, spec) = dataMode ? (chosenMode, (ResNetSpec?)null) : model.Resolve(parsed, shape?.Channels);
            int side = spec is null || spec.Stem == StemKind.Cifar ? 32 : 224;
            var sample = shape ?? new InputShape(spec?.InChannels ?? 3, side, side);
            int batchSize = OptionChecks.AtLeast(parsed.GetValue(batch), 1, "--batch-size");
            if (batchSize * sample.Values > MaxInputValues)
                throw new UsageException($"--batch-size {batchSize} of {sample} inputs is {batchSize * sample.Values:N0} values; at most {MaxInputValues:N0} (1 GiB of float32) per step.");
            var settings = new Settings(
                name,
                chosenMode,
                batchSize,
                sample,
                dataMode ? Precision.Fp32 : precision.Value(parsed),
                !dataMode && parsed.GetValue(channelsLast),
                OptionChecks.AtLeast(parsed.GetValue(steps), 1, "--steps"),
                OptionChecks.AtLeast(parsed.GetValue(warmup), 0, "--warmup"),
                parsed.GetValue(threads) is int t ? OptionChecks.Between(t, 1, MaxThreads, "--threads") : null);
            var result = chosenMode switch
            {
                "augment" => RunAugment(settings, parsed.GetValue(device)!),
                "decode" => RunDecode(settings, parsed.GetValue(folder)),
                "optimizer" => RunOptimizer(spec!, settings, parsed.GetValue(device)!),
                "diagnostics" => RunDiagnostics(spec!, settings, parsed.GetValue(device)!),
                _ => parsed.GetValue(engine) == "torchsharp"
                    ? RunTorch(spec!, settings, parsed.GetValue(device)!)
                    : RunOnnx(spec!, settings),
            };
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(result, JsonOutput.Options));
            else
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Engine} {result.Model} {result.Mode} batch {result.Batch} {result.Input} {result.Precision}{(result.ChannelsLast ? " channels-last" : "")} on {result.Device} ({result.Threads} threads): " +
                    $"{result.ImagesPerSecond:F1} images/s, {result.MillisecondsPerStep:F2} ms/step over {result.Steps} steps{(result.Notes.Length > 0 ? "; " + result.Notes : "")}"));
            return 0;
        });
        return command;
    }
    private sealed record Settings(string Model, string Mode, int Batch, InputShape Input, Precision Precision, bool ChannelsLast, int Steps, int Warmup, int? Threads);

    /// <summary>The device to run on (with the thread count applied) and how to wait for it at the ends of the timed loop.</summary>
    private static (Device Target, Action Synchronize) Prepare(Settings settings, string deviceText)
    {
        var target = DeviceSelection.Parse(deviceText);
        if (settings.Threads is int threads)
            set_num_threads(threads);
        return (target, target.type == TorchSharp.DeviceType.CUDA ? () => cuda.synchronize(target) : () => { });
    }

    private static BenchmarkResult RunAugment(Settings settings, string deviceText)
    {
        var (target, synchronize) = Prepare(settings, deviceText);
        var step = DataWorkloads.Augmentation(settings.Batch, settings.Input.Channels, settings.Input.Height, settings.Input.Width, target);
        double seconds = BenchmarkTimer.Measure(step, settings.Warmup, settings.Steps, synchronize);
        return Result("torchsharp", settings, target.ToString(), get_num_threads(), seconds, DeviceMemory.InUseBytes(target),
            "uint8 to float, padded crop 4, flip, normalise, erasing 0.25");
    }

    private static BenchmarkResult RunDecode(Settings settings, string? folder)
    {
        if (folder is null)
            throw new UsageException("--mode decode needs --folder with image files.");
        var files = Data.Images.ImageFolderIndex.ListImages(folder);
        int workers = settings.Threads ?? Environment.ProcessorCount;
        var step = DataWorkloads.DecodeAndCrop(files, settings.Batch, settings.Input.Height, workers);
        double seconds = BenchmarkTimer.Measure(step, settings.Warmup, settings.Steps, () => { });
        double perWorker = settings.Batch * settings.Steps / seconds / workers;
        return Result("resnetsharp-imaging", settings, "cpu", workers, seconds, null,
            $"decode + random-resized crop to {settings.Input.Height}; {perWorker:F1} images/s per worker thread; {files.Count} files in {folder}");
    }

    private static BenchmarkResult RunOptimizer(ResNetSpec spec, Settings settings, string deviceText)
    {
        var (target, synchronize) = Prepare(settings, deviceText);
        double Time(bool packed)
        {
            using var model = new ResNet(spec);
            return BenchmarkTimer.Measure(OptimizerWorkload.Create(model, target, packed, settings.ChannelsLast), settings.Warmup, settings.Steps, synchronize);
        }
        double perParameter = Time(packed: false), packedSeconds = Time(packed: true);
        return Result("torchsharp", settings, target.ToString(), get_num_threads(), packedSeconds, DeviceMemory.InUseBytes(target),
            string.Create(CultureInfo.InvariantCulture,
                $"packed {packedSeconds * 1000 / settings.Steps:F2} ms/step, per parameter {perParameter * 1000 / settings.Steps:F2} ms/step ({perParameter / packedSeconds:F2}x); images/s is meaningless here"));
    }

    private static BenchmarkResult RunDiagnostics(ResNetSpec spec, Settings settings, string deviceText)
    {
        var (target, synchronize) = Prepare(settings, deviceText);
        using var workload = new DiagnosticsWorkload(spec, settings.Batch, settings.Input.Channels, settings.Input.Height, settings.Input.Width, target);
        double step = BenchmarkTimer.Measure(workload.Step, settings.Warmup, settings.Steps, synchronize) / settings.Steps;
        double gradients = BenchmarkTimer.Measure(workload.MeasureGradients, settings.Warmup, settings.Steps * 5, synchronize) / (settings.Steps * 5);
        double dead = BenchmarkTimer.Measure(workload.MeasureDeadUnits, 1, Math.Max(1, settings.Steps / 4), synchronize) / Math.Max(1, settings.Steps / 4);
        return Result("torchsharp", settings, target.ToString(), get_num_threads(), step * settings.Steps, DeviceMemory.InUseBytes(target),
            string.Create(CultureInfo.InvariantCulture,
                $"gradient norms per measured step {gradients * 1000:F3} ms ({gradients / step:P2} of a step); dead units per epoch {dead * 1000:F1} ms ({dead / step:F2} steps)"));
    }

    private static BenchmarkResult RunTorch(ResNetSpec spec, Settings settings, string deviceText)
    {
        var (target, synchronize) = Prepare(settings, deviceText);
        using var model = new ResNet(spec);
        using var workload = new TorchWorkload(model, settings.Mode == "train", settings.Batch, settings.Input.Channels, settings.Input.Height,
            settings.Input.Width, settings.Precision, settings.ChannelsLast, target);
        double seconds = BenchmarkTimer.Measure(workload.Step, settings.Warmup, settings.Steps, synchronize);
        string notes = target.type == TorchSharp.DeviceType.CPU ? $"{OneDnnGuard.Status}; {NativeHeap.Status}" : "";
        return Result("torchsharp", settings, target.ToString(), get_num_threads(), seconds, DeviceMemory.InUseBytes(target), notes);
    }

    private static BenchmarkResult RunOnnx(ResNetSpec spec, Settings settings)
    {
        if (settings.Mode != "infer" || settings.Precision != Precision.Fp32 || settings.ChannelsLast)
            throw new UsageException("--engine onnxruntime measures fp32 inference only; use --mode infer --precision fp32 without --channels-last.");
        string file = Path.Combine(Path.GetTempPath(), $"resnet-bench-{Environment.ProcessId}.onnx");
        try
        {
            using (var model = new ResNet(spec))
            {
                model.eval();
                OnnxExporter.Export(model, file, new OnnxExportOptions(settings.Input.Height, settings.Input.Width));
            }
            using var options = new SessionOptions();
            if (settings.Threads is int threads)
                options.IntraOpNumThreads = threads;
            using var classifier = OnnxClassifier.Open(file, options);
            var random = new Random(0);
            var data = new float[settings.Batch * settings.Input.Channels * settings.Input.Height * settings.Input.Width];
            for (int i = 0; i < data.Length; i++)
                data[i] = (float)random.NextDouble() * 2 - 1;
            double seconds = BenchmarkTimer.Measure(() => classifier.Run(data, settings.Batch, settings.Input.Height, settings.Input.Width),
                settings.Warmup, settings.Steps, () => { });
            return Result("onnxruntime", settings, "cpu", settings.Threads ?? Environment.ProcessorCount, seconds, null, "BatchNorm folded");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static BenchmarkResult Result(string engine, Settings settings, string device, int threads, double seconds, long? deviceMemory, string notes)
    {
        using var process = Process.GetCurrentProcess();
        return new BenchmarkResult(engine, settings.Model, settings.Mode, settings.Batch, settings.Input.ToString(), settings.Precision.ToName(), device,
            threads, settings.Warmup, settings.Steps, seconds, settings.Batch * settings.Steps / seconds, seconds * 1000 / settings.Steps,
            process.PeakWorkingSet64, settings.ChannelsLast, deviceMemory, notes);
    }
}
