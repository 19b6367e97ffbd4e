using ResNetSharp.Interop;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Extensibility.Tests;

/// <summary>The engine trains parts written outside ResNetSharp, with its guarantees: exact resume, bounded memory, prompt stops.</summary>
public class EngineExtensionTests
{
    private static TrainingSetup Setup(DiscImages train, DiscImages validation, bool customOptimizer) => new()
    {
        CreateNetwork = () => new MultiHeadNetwork(new TinyBackbone(), TinyBackbone.Features,
            [new PinballHead("radius"), new ClassificationHead("colour", DiscImages.Colours, weight: 0.5)]),
        Train = train,
        Validation = validation,
        CreateOptimizer = customOptimizer
            ? network => new PlainGradientDescent(network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)))
            : null,
        Name = "tiny discs",
    };

    private static TrainingConfig Config(int epochs = 2) => new()
    {
        Schedule = new ScheduleConfig { Epochs = epochs, Kind = ScheduleKind.Constant },
        Optimization = new OptimizationConfig { BatchSize = 16, LearningRate = 0.05 },
        Augmentation = new AugmentationConfig { CropPadding = 1, ErasingProbability = 0.2, MixupAlpha = 0.4 },
        Run = new RunConfig { LogEvery = 1, Seed = 7, CheckpointEvery = 3 },
    };

    private static TrainingOutcome Train(TrainingSetup setup, TrainingConfig config, string folder, bool resume = false,
        long stopAfter = 0, TrainingObserver? observer = null)
    {
        using var stop = new CancellationTokenSource();
        var observers = new List<TrainingObserver> { observer ?? new TrainingObserver() };
        if (stopAfter > 0)
            observers.Add(new StopAfter(stopAfter, stop));
        return new Trainer(setup, config, folder, CPU, new ObserverList([.. observers])).Run(resume, force: false, stop.Token);
    }

    private sealed class StopAfter(long step, CancellationTokenSource stop) : TrainingObserver
    {
        public override void Step(StepReport report)
        {
            if (report.Step + 1 >= step)
                stop.Cancel();
        }
    }

    private static Dictionary<string, byte[]> Weights(string path) =>
        SafetensorsFile.Load(path).Tensors.ToDictionary(t => t.Name, t => t.Tensor.bytes.ToArray());

    [Fact]
    public void ACustomHeadWithACustomLossOnACustomDatasetResumesBitExactly()
    {
        using var folder = new Folder();
        using var whole = Setup(new DiscImages(64, 1), new DiscImages(24, 2), customOptimizer: false);
        var uninterrupted = Train(whole, Config(), folder.File("whole"));
        Assert.True(uninterrupted.Completed);
        Assert.Equal(8, uninterrupted.Progress.GlobalStep);
        Assert.IsType<PinballResult>(uninterrupted.LastEvaluation!.Heads["radius"]);

        using var parts = Setup(new DiscImages(64, 1), new DiscImages(24, 2), customOptimizer: false);
        Assert.False(Train(parts, Config(), folder.File("parts"), stopAfter: 5).Completed);
        Assert.True(Train(parts, Config(), folder.File("parts"), resume: true).Completed);

        var expected = Weights(Path.Combine(folder.File("whole"), "last.safetensors"));
        var actual = Weights(Path.Combine(folder.File("parts"), "last.safetensors"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Contains("radius.weight", expected.Keys);
        Assert.All(expected, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(actual[kv.Key]), $"{kv.Key} differs after the resume"));
        var metadata = SafetensorsFile.ReadHeader(Path.Combine(folder.File("whole"), "last.safetensors")).Metadata;
        Assert.Contains("\"pinball\"", metadata["heads"]);
    }

    private sealed class Recorder : TrainingObserver
    {
        public List<long> LiveTensors { get; } = [];
        public List<EpochReport> Epochs { get; } = [];

        public override void Step(StepReport report) => LiveTensors.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        public override void Epoch(EpochReport report) => Epochs.Add(report);
    }

    [Fact]
    public void ACustomDatasetAndOptimiserLearnWithoutLiveTensorsGrowing()
    {
        using var folder = new Folder();
        using var setup = Setup(new DiscImages(96, 3), new DiscImages(48, 4), customOptimizer: true);
        var recorder = new Recorder();
        var config = Config(epochs: 4) with { Augmentation = new AugmentationConfig { CropPadding = 0, ErasingProbability = 0 } };
        Assert.True(Train(setup, config, folder.File("run"), observer: recorder).Completed);

        // Six steps an epoch. The first steps make gradients and the checkpoint's host copies; after the first
        // epoch nothing may accumulate, per step, per evaluation or per checkpoint.
        Assert.Equal(24, recorder.LiveTensors.Count);
        Assert.True(recorder.LiveTensors.Skip(6).All(count => count == recorder.LiveTensors[6]), string.Join(", ", recorder.LiveTensors));
        var first = recorder.Epochs[0].Evaluation;
        var last = recorder.Epochs[^1].Evaluation;
        Assert.True(last.Heads["radius"].Loss < first.Heads["radius"].Loss, $"pinball {first.Heads["radius"].Loss} -> {last.Heads["radius"].Loss}");
        Assert.Equal(48, last.Heads["colour"].Samples);
        Assert.Equal(36, last.Heads["radius"].Samples); // every fourth radius is unlabelled
    }

    [Fact]
    public void AStopDuringTheEpochEndEvaluationActsAtTheNextBatchAndTheRunResumesExactly()
    {
        using var folder = new Folder();
        var config = Config() with { Run = Config().Run with { CheckpointEvery = 0 } };
        var evaluationBatch = config.Optimization.BatchSize;
        using var reference = Setup(new DiscImages(64, 5), new DiscImages(1024, 6), customOptimizer: false);
        Assert.True(Train(reference, config, folder.File("reference")).Completed);

        var validation = new DiscImages(1024, 6);
        using var stopped = Setup(new DiscImages(64, 5), validation, customOptimizer: false);
        using var stop = new CancellationTokenSource();
        validation.BeforeBatch = batch => { if (batch == 1) stop.Cancel(); };
        var outcome = new Trainer(stopped, config, folder.File("stopped"), CPU, new TrainingObserver()).Run(false, false, stop.Token);
        Assert.False(outcome.Completed);
        Assert.Equal(2, validation.BatchesRead); // 1024 images in batches of 256: the stop came with the second and no third was read
        Assert.Equal(4, outcome.Progress.GlobalStep);
        validation.BeforeBatch = null;
        Assert.True(Train(stopped, config, folder.File("stopped"), resume: true).Completed);

        var expected = Weights(Path.Combine(folder.File("reference"), "last.safetensors"));
        var actual = Weights(Path.Combine(folder.File("stopped"), "last.safetensors"));
        Assert.All(expected, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(actual[kv.Key]), $"{kv.Key} differs"));
        Assert.True(evaluationBatch < 256);
    }
}

/// <summary>A fresh temporary folder, removed on dispose.</summary>
internal sealed class Folder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("resnetsharp-extension-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
