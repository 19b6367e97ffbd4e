using ResNetSharp.Interop;
using ResNetSharp.Tests.Data;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

/// <summary>Image folders streamed with random-resized crops: reproducible, resumable, bad files skipped and named.</summary>
public class StreamedFolderTrainingTests
{
    private static string MakeFolder(TemporaryFolder root, int perClass)
    {
        foreach (var (split, count) in new[] { ("train", perClass), ("val", 2) })
            foreach (var (name, index) in new[] { ("cat", 0), ("dog", 1) })
                for (int i = 0; i < count; i++)
                    TestImages.Write(root.File($"data/{split}/{name}/{i}.png"), 30 + 7 * i + index, 26 + 5 * i, seed: 100 * index + i);
        return root.File("data");
    }

    private static TrainingConfig Config(string dataset, string model) => new()
    {
        Model = model,
        Data = new DataConfig { Dataset = dataset, ImageSize = 32 },
        Schedule = new ScheduleConfig { Epochs = 2 },
        Optimization = new OptimizationConfig { BatchSize = 4, LearningRate = 0.05 },
        Augmentation = new AugmentationConfig { ErasingProbability = 0.3 },
        Run = new RunConfig { LogEvery = 1, Seed = 5, CheckpointEvery = 2 },
    };

    private static TrainingOutcome Train(TrainingConfig config, string folder, bool resume = false, long stopAfter = 0, TrainingObserver? observer = null) =>
        TrainingRuns.Train(config, folder, null, resume, stopAfter: stopAfter, observer: observer);

    [Fact]
    public void AStreamedRunStoppedAndResumedEndsBitIdentical()
    {
        using var root = new TemporaryFolder();
        string dataset = MakeFolder(root, perClass: 6);
        File.WriteAllText(root.File("tiny.json"), """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 2}""");
        var config = Config(dataset, root.File("tiny.json"));

        var whole = Train(config, root.File("whole"));
        Assert.True(whole.Completed);
        Assert.Equal(6, whole.Progress.GlobalStep);
        Assert.Equal(4, whole.LastEvaluation!.Classification!.Samples); // val/ streamed: 2 images per class
        string folder = root.File("resumed");
        Assert.False(Train(config, folder, stopAfter: 4).Completed);
        Assert.True(Train(config, folder, resume: true).Completed);

        var expected = SafetensorsFile.Load(Path.Combine(root.File("whole"), "last.safetensors")).Tensors;
        var actual = SafetensorsFile.Load(Path.Combine(folder, "last.safetensors")).Tensors;
        Assert.All(expected.Zip(actual), pair => Assert.True(pair.First.Tensor.bytes.SequenceEqual(pair.Second.Tensor.bytes), $"{pair.First.Name} differs"));

        // The same run loading the folder into memory instead sees other pixels, so ends elsewhere.
        var inMemory = Train(config with { Data = config.Data with { InMemoryImages = true } }, root.File("in-memory"));
        Assert.True(inMemory.Completed);
        var other = SafetensorsFile.Load(Path.Combine(root.File("in-memory"), "last.safetensors")).Tensors;
        Assert.Contains(expected.Zip(other), pair => !pair.First.Tensor.bytes.SequenceEqual(pair.Second.Tensor.bytes));
    }

    [Fact]
    public void AnUnreadableTrainingImageIsSkippedAndNamedWhenAsked()
    {
        using var root = new TemporaryFolder();
        string dataset = MakeFolder(root, perClass: 4);
        string broken = root.File("data/train/dog/broken.png");
        File.WriteAllBytes(broken, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        File.WriteAllText(root.File("tiny.json"), """{"block": "basic", "depths": [1], "widths": [8], "stemChannels": 8, "stem": "cifar", "numClasses": 2}""");
        var config = Config(dataset, root.File("tiny.json")) with { Schedule = new ScheduleConfig { Epochs = 1 }, Optimization = new OptimizationConfig { BatchSize = 3, LearningRate = 0.05 } };

        var failure = Assert.ThrowsAny<Exception>(() => Train(config, root.File("strict")));
        Assert.Contains(broken, failure.Message);

        var observer = new RecordingObserver();
        Assert.True(Train(config with { Data = config.Data with { SkipBadImages = true } }, root.File("skip"), observer: observer).Completed);
        Assert.Contains(observer.Warnings, w => w.Contains("skipped 1 image") && w.Contains("broken.png"));
    }
}

public class OneClassFolderTests
{
    [Fact]
    public void AnImageFolderWithOneClassTrainsWithAWarning()
    {
        using var root = new TemporaryFolder();
        foreach (var split in new[] { "train", "val" })
            for (int i = 0; i < 4; i++)
                ResNetSharp.Tests.Data.TestImages.Write(root.File($"data/{split}/cat/{i}.png"), 20, 20, seed: i);
        File.WriteAllText(root.File("tiny.json"), """{"block": "basic", "depths": [1], "widths": [8], "stemChannels": 8, "stem": "cifar", "numClasses": 2}""");
        var config = new TrainingConfig
        {
            Model = root.File("tiny.json"),
            Data = new DataConfig { Dataset = root.File("data"), ImageSize = 16 },
            Schedule = new ScheduleConfig { Epochs = 1 },
            Optimization = new OptimizationConfig { BatchSize = 4 },
        };
        var observer = new RecordingObserver();
        Assert.True(TrainingRuns.Train(config, root.File("run"), null, observer: observer).Completed);
        Assert.Contains(observer.Warnings, w => w.Contains("only one class (cat)") && w.Contains("learns nothing"));
    }
}
