using ResNetSharp.Interop;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class TrainerTests
{
    private static TrainingOutcome Train(TinyRun run, TrainingConfig config, string folder, bool resume = false,
        bool force = false, long stopAfter = 0, TrainingObserver? observer = null) =>
        TrainingRuns.Train(config, folder, run.DataDir, resume, force, stopAfter, observer);

    private static Dictionary<string, byte[]> Weights(string path) => TrainingRuns.Weights(path);

    [Fact]
    public void ARunStoppedAndResumedEndsWithBitIdenticalWeights()
    {
        using var run = new TinyRun();
        var config = run.Config with { Run = run.Config.Run with { CheckpointEvery = 2 } };
        var whole = Train(run, config, run.RunFolder("whole"));
        Assert.True(whole.Completed);
        Assert.Equal(18, whole.Progress.GlobalStep);

        string folder = run.RunFolder("interrupted");
        foreach (long stopAfter in new long[] { 5, 6, 13 })
        {
            var partial = Train(run, config, folder, resume: stopAfter != 5, stopAfter: stopAfter);
            Assert.False(partial.Completed);
            Assert.Equal(stopAfter, partial.Progress.GlobalStep);
        }
        var finished = Train(run, config, folder, resume: true);
        Assert.True(finished.Completed);

        var expected = Weights(Path.Combine(run.RunFolder("whole"), "last.safetensors"));
        var actual = Weights(Path.Combine(folder, "last.safetensors"));
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(actual[kv.Key]), $"{kv.Key} differs"));
        Assert.Equal(whole.LastEvaluation!.Classification!.Top1, finished.LastEvaluation!.Classification!.Top1);

        // Every record counts epochs and steps from 1, as the console does, across the resumes.
        var records = File.ReadLines(Path.Combine(folder, "metrics.jsonl")).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        int[] epochs = [.. Enumerable.Range(1, config.Schedule.Epochs)];
        Assert.Equal(epochs, records.Where(r => r.GetProperty("kind").GetString() == "epoch").Select(r => r.GetProperty("epoch").GetInt32()).Distinct().Order());
        Assert.Equal(epochs, File.ReadAllLines(Path.Combine(folder, "epochs.csv")).Skip(1).Select(line => int.Parse(line.Split(',')[0])));
        var steps = records.Where(r => r.GetProperty("kind").GetString() == "step").ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, r => Assert.InRange(r.GetProperty("step").GetInt64(), 1, 18));
        Assert.All(steps, r => Assert.Equal((r.GetProperty("step").GetInt64() - 1) / 6 + 1, r.GetProperty("epoch").GetInt32()));
    }

    [Fact]
    public void TrainingLearnsAndWritesMetricsAndBestWeights()
    {
        using var run = new TinyRun();
        var observer = new RecordingObserver();
        string folder = run.RunFolder("learn");
        var outcome = Train(run, run.Config with { Schedule = run.Config.Schedule with { Epochs = 4 }, Augmentation = run.Config.Augmentation with { ErasingProbability = 0 } }, folder, observer: observer);
        Assert.Equal(4, observer.Epochs.Count);
        Assert.True(observer.Epochs[^1].TrainLoss < observer.Epochs[0].TrainLoss);
        Assert.True(outcome.Progress.BestMetric > 0.2, $"top-1 {outcome.Progress.BestMetric}");
        var csv = File.ReadAllLines(Path.Combine(folder, "epochs.csv"));
        Assert.Equal(5, csv.Length);
        Assert.Contains("\"kind\":\"epoch\"", File.ReadAllText(Path.Combine(folder, "metrics.jsonl")));
        // Throughput covers the steps alone: images per second over the epoch's step time, evaluation timed apart.
        Assert.All(observer.Epochs, e => Assert.True(e.TrainImagesPerSecond > 0 && e.EvaluationTime > TimeSpan.Zero, $"{e.TrainImagesPerSecond} img/s, eval {e.EvaluationTime}"));
        Assert.All(observer.Epochs.Skip(1).Zip(observer.Epochs),
            pair => Assert.True(96 / pair.First.TrainImagesPerSecond < (pair.First.Elapsed - pair.Second.Elapsed).TotalSeconds)); // 6 steps of 16
        var header = csv[0].Split(',');
        var last = csv[^1].Split(',');
        Assert.Equal(observer.Epochs[^1].TrainImagesPerSecond,
            double.Parse(last[Array.IndexOf(header, "train_images_per_second")], System.Globalization.CultureInfo.InvariantCulture), 6);
        Assert.True(File.Exists(Path.Combine(folder, "best.safetensors")));
        Assert.Equal("10", SafetensorsFile.ReadHeader(Path.Combine(folder, "best.safetensors")).Metadata["num_classes"]);
    }

    [Fact]
    public void AnExistingRunIsNeitherOverwrittenNorResumedWithAnotherConfig()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("guarded");
        Train(run, run.Config with { Schedule = run.Config.Schedule with { Epochs = 1 } }, folder);

        Assert.Contains("--resume", Assert.Throws<IOException>(() => Train(run, run.Config, folder)).Message);
        var changed = Assert.Throws<ArgumentException>(() => Train(run, run.Config with { Optimization = run.Config.Optimization with { LearningRate = 0.2 } }, folder, resume: true));
        Assert.Contains("optimization.learningRate: 0.05 -> 0.2", changed.Message);
        Assert.Contains("--force", changed.Message);
        Assert.True(Train(run, run.Config with { Schedule = run.Config.Schedule with { Epochs = 2 } }, folder, resume: true, force: true).Completed);
    }

    [Fact]
    public void ADamagedLatestCheckpointFallsBackToThePreviousOneWithAWarning()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("damaged");
        Train(run, run.Config with { Run = run.Config.Run with { CheckpointEvery = 2 } }, folder, stopAfter: 5);
        var store = new CheckpointStore(folder);
        File.WriteAllBytes(store.LatestPath, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        var observer = new RecordingObserver();
        var outcome = Train(run, run.Config with { Run = run.Config.Run with { CheckpointEvery = 2 } }, folder, resume: true, observer: observer);
        Assert.True(outcome.Completed);
        Assert.Contains(observer.Warnings, w => w.Contains("unreadable") && w.Contains(store.LatestPath));
    }

    [Fact]
    public void ASecondRunOnTheSameFolderIsRefusedWhileTheFirstHoldsIt()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("locked");
        using var first = RunFolderLock.Acquire(folder);
        var error = Assert.Throws<IOException>(() => Train(run, run.Config, folder));
        Assert.Contains("in use by another training run", error.Message);
    }

    [Fact]
    public void ADivergingRunStopsNamingTheStepLearningRateAndCheckpoint()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("nan");
        var error = Assert.Throws<TrainingFailedException>(() =>
            Train(run, run.Config with { Optimization = run.Config.Optimization with { LearningRate = 1e30 }, Schedule = run.Config.Schedule with { Kind = ScheduleKind.Constant } }, folder));
        Assert.Matches("(at step|between steps) [0-9]+", error.Message);
        Assert.Contains("learning rate 1E+30", error.Message);
        Assert.False(File.Exists(Path.Combine(folder, "checkpoint.safetensors")));
    }

    [Fact]
    public void ARunStopsAtTheFirstEpochThatReachesTheTargetAccuracy()
    {
        using var run = new TinyRun();
        var observer = new RecordingObserver();
        string folder = run.RunFolder("target");
        var outcome = Train(run, run.Config with { Schedule = run.Config.Schedule with { Epochs = 6 }, Augmentation = run.Config.Augmentation with { ErasingProbability = 0 }, Run = run.Config.Run with { Target = new MetricTarget(null, "top1", 0.25) } }, folder, observer: observer);
        Assert.True(outcome.Completed);
        int reached = observer.Epochs.FindIndex(e => e.Test!.Top1 >= 0.25);
        Assert.True(reached >= 0, "the tiny model never reached 25%");
        Assert.Equal(reached + 1, observer.Epochs.Count);
        Assert.Equal(reached + 1, outcome.Progress.Epoch);
        Assert.True(observer.Epochs.Take(reached).All(e => e.Test!.Top1 < 0.25));
    }
}

public class CheckpointIntegrityTests
{
    [Fact]
    public void AFlippedBitInTheLatestCheckpointIsFoundAndThePreviousOneIsResumed()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("flipped");
        var config = run.Config with { Run = run.Config.Run with { CheckpointEvery = 2 } };
        TrainingRuns.Train(config, folder, run.DataDir, stopAfter: 5);
        var store = new CheckpointStore(folder);
        // Flip one bit in the last byte of the file: inside the last tensor's data, past the header.
        var bytes = File.ReadAllBytes(store.LatestPath);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(store.LatestPath, bytes);

        var warnings = new List<string>();
        var loaded = store.LoadLatest(warnings.Add)!;
        Assert.Equal(store.PreviousPath, loaded.Path);
        Assert.Contains(warnings, w => w.Contains(store.LatestPath) && w.Contains("does not match its digest"));
        foreach (var (_, tensor) in loaded.Tensors)
            tensor.Dispose();
    }

    [Fact]
    public void AResumeAfterAFailedSaveWritesOneEpochsCsvRowPerEpoch()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("failed-save");
        var config = run.Config with { Schedule = run.Config.Schedule with { Epochs = 2 } };
        TrainingRuns.Train(config, folder, run.DataDir, stopAfter: 8); // epoch 1 done, stopped in epoch 2
        string last = Path.Combine(folder, "last.safetensors");
        File.Delete(last);
        Directory.CreateDirectory(last); // the epoch-2 save fails after its row is written
        Assert.ThrowsAny<IOException>(() => TrainingRuns.Train(config, folder, run.DataDir, resume: true));
        Directory.Delete(last);
        Assert.True(TrainingRuns.Train(config, folder, run.DataDir, resume: true).Completed);
        var epochs = File.ReadAllLines(Path.Combine(folder, "epochs.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(["1", "2"], epochs);
    }

    [Fact]
    public void ARunFolderThatCannotBeUsedSaysWhatFailedNotThatItIsInUse()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("unusable");
        Directory.CreateDirectory(Path.Combine(folder, "run.lock")); // the lock file cannot be opened as a file
        var error = Assert.Throws<IOException>(() => TrainingRuns.Train(run.Config, folder, run.DataDir));
        Assert.DoesNotContain("in use by another training run", error.Message);
        Assert.Contains("cannot use " + folder, error.Message);
    }
}
