using ResNetSharp.Tests.Data;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Training;

/// <summary>A tiny model and a small synthetic Fashion-MNIST-format dataset, for fast end-to-end training tests.</summary>
internal sealed class TinyRun : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public string DataDir => _folder.Path;

    public string ModelFile => _folder.File("tiny.json");

    public TinyRun(int trainImages = 96, int testImages = 32)
    {
        File.WriteAllText(ModelFile, """
            {"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 10}
            """);
        var random = new Random(5);
        void Split(string images, string labels, int count)
        {
            var labelBytes = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            // Class-dependent brightness so that the tiny model can learn something.
            var pixels = new byte[count * 28 * 28];
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = (byte)Math.Min(255, labelBytes[i / 784] * 20 + random.Next(60));
            IdxFileTests.WriteGzip(_folder.File(images + ".gz"), IdxFileTests.Idx([count, 28, 28], pixels));
            IdxFileTests.WriteGzip(_folder.File(labels + ".gz"), IdxFileTests.Idx([count], labelBytes));
        }
        Split("train-images-idx3-ubyte", "train-labels-idx1-ubyte", trainImages);
        Split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", testImages);
    }

    public TrainingConfig Config => new()
    {
        Model = ModelFile,
        Schedule = new ScheduleConfig { Epochs = 3 },
        Optimization = new OptimizationConfig { BatchSize = 16, LearningRate = 0.05 },
        Augmentation = new AugmentationConfig { ErasingProbability = 0.5, DropPathRate = 0.1 },
        Run = new RunConfig { LogEvery = 1, Seed = 3 },
    };

    public string RunFolder(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();
}

/// <summary>Runs the trainer on the CPU in-process, optionally stopping after a given step, as the training tests need.</summary>
internal static class TrainingRuns
{
    public static TrainingOutcome Train(TrainingConfig config, string folder, string? dataDir, bool resume = false, bool force = false,
        long stopAfter = 0, TrainingObserver? observer = null)
    {
        using var stop = new CancellationTokenSource();
        var observers = new List<TrainingObserver> { observer ?? new TrainingObserver() };
        if (stopAfter > 0)
            observers.Add(new StopAtStep(stopAfter, stop));
        return new Trainer(config, folder, TorchSharp.torch.CPU, dataDir, new ObserverList(observers.ToArray())).Run(resume, force, stop.Token);
    }

    /// <summary>The raw bytes of every tensor in a safetensors file, by name.</summary>
    public static Dictionary<string, byte[]> Weights(string path) =>
        ResNetSharp.Interop.SafetensorsFile.Load(path).Tensors.ToDictionary(t => t.Name, t => t.Tensor.bytes.ToArray());
}

/// <summary>Cancels the run once a given step has been logged.</summary>
internal sealed class StopAtStep(long step, CancellationTokenSource stop) : TrainingObserver
{
    public override void Step(StepReport report)
    {
        if (report.Step + 1 >= step)
            stop.Cancel();
    }
}

/// <summary>Keeps the warnings and messages for assertions.</summary>
internal sealed class RecordingObserver : TrainingObserver
{
    public List<string> Warnings { get; } = [];

    public List<EpochReport> Epochs { get; } = [];

    public override void Warning(string text) => Warnings.Add(text);

    public override void Epoch(EpochReport report) => Epochs.Add(report);
}
