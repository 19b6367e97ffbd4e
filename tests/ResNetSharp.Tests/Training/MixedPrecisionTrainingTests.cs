using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

/// <summary>Training with low precision, channels-last, mixup/cutmix and a weight average: exact resume and fp16 loss scaling.</summary>
public class MixedPrecisionTrainingTests
{
    private static TrainingOutcome Train(TinyRun run, TrainingConfig config, string folder, bool resume = false,
        long stopAfter = 0, TrainingObserver? observer = null) =>
        TrainingRuns.Train(config, folder, run.DataDir, resume, stopAfter: stopAfter, observer: observer);

    private static Dictionary<string, byte[]> Weights(string path) => TrainingRuns.Weights(path);

    [Fact]
    public void ABf16ChannelsLastRunWithMixingAndEmaResumesBitIdentically()
    {
        using var run = new TinyRun(trainImages: 64, testImages: 16);
        var config = run.Config with
        {
            Schedule = run.Config.Schedule with { Epochs = 2 },
            Precision = new PrecisionConfig { Compute = Precision.Bf16, ChannelsLast = true },
            Augmentation = run.Config.Augmentation with { MixupAlpha = 0.4, CutmixAlpha = 1.0 },
            Optimization = run.Config.Optimization with { EmaDecay = 0.9 },
            Run = run.Config.Run with { CheckpointEvery = 3 },
        };
        var observer = new RecordingObserver();
        var whole = Train(run, config, run.RunFolder("whole"), observer: observer);
        Assert.True(whole.Completed);
        Assert.All(observer.Epochs, e => Assert.NotNull(e.Ema));

        string folder = run.RunFolder("interrupted");
        Assert.False(Train(run, config, folder, stopAfter: 5).Completed);
        Assert.True(Train(run, config, folder, resume: true).Completed);

        foreach (var file in new[] { "last.safetensors", "ema.safetensors" })
        {
            var expected = Weights(Path.Combine(run.RunFolder("whole"), file));
            var actual = Weights(Path.Combine(folder, file));
            Assert.Equal(expected.Keys, actual.Keys);
            Assert.All(expected, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(actual[kv.Key]), $"{file}: {kv.Key} differs"));
        }
        var last = Weights(Path.Combine(folder, "last.safetensors"));
        var average = Weights(Path.Combine(folder, "ema.safetensors"));
        Assert.Contains(last, kv => !kv.Value.AsSpan().SequenceEqual(average[kv.Key]));
    }

    private sealed class LiveTensorCounter : TrainingObserver
    {
        public List<long> Counts { get; } = [];

        public override void Step(StepReport report) => Counts.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData(Precision.Fp16)]
    [InlineData(Precision.Bf16)]
    public void LiveTensorsDoNotGrowAcrossStepsWithEveryOptionOn(Precision precision)
    {
        using var run = new TinyRun(trainImages: 96, testImages: 16);
        var counter = new LiveTensorCounter();
        var config = run.Config with
        {
            Schedule = run.Config.Schedule with { Epochs = 3 },
            Precision = new PrecisionConfig { Compute = precision, ChannelsLast = true },
            Augmentation = run.Config.Augmentation with { MixupAlpha = 0.4, CutmixAlpha = 1.0 },
            Optimization = run.Config.Optimization with { EmaDecay = 0.9, GradientClip = 1.0 },
        };
        Assert.True(Train(run, config, run.RunFolder("memory"), observer: counter).Completed);
        Assert.Equal(18, counter.Counts.Count);
        // Optimiser state appears in the first steps and the checkpoint's reused host copies at the first
        // checkpoint (end of epoch 1); after that nothing may accumulate, per step or per checkpoint.
        string counts = string.Join(", ", counter.Counts);
        Assert.True(counter.Counts.Take(6).Skip(3).All(count => count == counter.Counts[3]), counts);
        Assert.True(counter.Counts.Skip(6).All(count => count == counter.Counts[6]), counts);
    }
}
