using System.Text.Json;
using ResNetSharp.Cli.Output;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class DiagnosticsTests
{
    [Fact]
    public void ACpuRunLogsGradientNormsAndDeadUnitsPerPartInEveryRecord()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("diagnostics");
        var config = run.Config with { Schedule = new ScheduleConfig { Epochs = 2 }, Run = run.Config.Run with { LogEvery = 2 } };
        var observer = new RecordingObserver();
        Assert.True(TrainingRuns.Train(config, folder, run.DataDir, observer: observer).Completed);

        string[] parts = ["stem", "layer1", "layer2", "fc"];
        Assert.All(observer.Epochs, e => Assert.Equal(parts, e.Stages.Select(s => s.Part)));
        var first = observer.Epochs[0].Stages;
        Assert.All(first, s => Assert.True(s.GradientNorm > 0 && double.IsFinite(s.GradientNorm), $"{s.Part}: {s.GradientNorm}"));
        Assert.All(first.Take(3), s => Assert.InRange(s.DeadUnits, 0, 1));
        Assert.All(first.Take(3), s => Assert.InRange(s.ZeroActivations, 0.01, 0.99)); // post-ReLU outputs: some zeros, not all
        Assert.True(double.IsNaN(first[3].DeadUnits)); // a head has no activation to measure

        var lines = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var epoch = lines.First(l => l.GetProperty("kind").GetString() == "epoch");
        var stem = epoch.GetProperty("stages").GetProperty("stem");
        Assert.Equal(first[0].GradientNorm, stem.GetProperty("gradNorm").GetDouble(), 12);
        Assert.Equal(first[0].DeadUnits, stem.GetProperty("deadUnits").GetDouble(), 12);
        var steps = lines.Where(l => l.GetProperty("kind").GetString() == "step").ToList();
        Assert.Equal(6, steps.Count); // 6 steps per epoch, logged every 2
        Assert.All(steps, s => Assert.True(s.GetProperty("gradNorm").GetDouble() > 0));
        var header = File.ReadAllLines(Path.Combine(folder, "epochs.csv"))[0].Split(',');
        Assert.Contains("grad_norm.layer2", header);
        Assert.Contains("dead_units.stem", header);
        var events = Directory.GetFiles(Path.Combine(folder, "tensorboard")).Select(File.ReadAllBytes).ToList();
        Assert.Contains(events, bytes => System.Text.Encoding.ASCII.GetString(bytes).Contains("diagnostics/dead_units/layer1"));
        Assert.Contains(events, bytes => System.Text.Encoding.ASCII.GetString(bytes).Contains("train/grad_norm"));
    }

    [Fact]
    public void TheLoggedPartNormsAreTheNormsOfThePartsGradients()
    {
        using var network = TinyNetwork();
        manual_seed(1);
        using var x = randn(4, 1, 16, 16);
        nn.functional.cross_entropy(network.call(x)["fc"], tensor(new long[] { 0, 1, 2, 3 })).backward();
        using var norms = new PartGradientNorms(network, CPU);
        using (var total = norms.Measure())
            Assert.Equal(Math.Sqrt(network.parameters().Sum(p => Math.Pow(p.grad!.norm().item<float>(), 2))), total.item<double>(), 4);
        var means = norms.TakeMeans();
        var expected = network.named_parameters().GroupBy(p => network.PartOf(p.name))
            .ToDictionary(g => g.Key, g => Math.Sqrt(g.Sum(p => Math.Pow(p.parameter.grad!.norm().item<float>(), 2))));
        Assert.Equal(expected.Keys, means.Keys);
        Assert.All(expected, kv => Assert.Equal(kv.Value, means[kv.Key], 4));
        Assert.All(norms.TakeMeans().Values, v => Assert.True(double.IsNaN(v))); // taking the means starts the next epoch's
    }

    [Fact]
    public void AStageKilledByVeryNegativeBiasesIsReportedDeadAndTheGradientsBelowItCollapsed()
    {
        var (train, validation) = (RandomImages(64, 1), RandomImages(32, 2));
        using var setup = new TrainingSetup
        {
            CreateNetwork = () =>
            {
                var network = TinyNetwork();
                using var _ = no_grad();
                foreach (var (name, parameter) in network.named_parameters())
                    if (name.StartsWith("layer2.", StringComparison.Ordinal) && name.Contains("bn") | name.Contains("downsample.1") && name.EndsWith(".bias"))
                        parameter.fill_(-100);
                return network;
            },
            Train = train,
            Validation = validation,
        };
        using var folder = new TemporaryFolder();
        var observer = new RecordingObserver();
        var config = new TrainingConfig
        {
            Schedule = new ScheduleConfig { Epochs = 1 },
            Optimization = new OptimizationConfig { BatchSize = 16, LearningRate = 0.01 },
            Augmentation = new AugmentationConfig { ErasingProbability = 0, LabelSmoothing = 0 },
        };
        new Trainer(setup, config, folder.File("run"), CPU, observer).Run(false, false, CancellationToken.None);

        var stages = observer.Epochs.Single().Stages.ToDictionary(s => s.Part);
        Assert.Equal(1.0, stages["layer2"].DeadUnits);
        Assert.Equal(1.0, stages["layer2"].ZeroActivations);
        Assert.True(stages["layer1"].DeadUnits < 0.5, $"layer1 {stages["layer1"].DeadUnits}");
        Assert.Equal(0.0, stages["stem"].GradientNorm); // nothing flows back through a dead stage
        Assert.True(stages["fc"].GradientNorm > 0);      // the classifier's bias still learns
        var problems = StageHealth.Problems(observer.Epochs[0].Stages);
        Assert.Contains(problems, p => p.StartsWith("layer2 100% of channels dead", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("stem gradient norm 0", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("layer1 ") && p.Contains("dead"));
        Assert.Contains("warning: ", ConsoleTrainingObserver.EpochLine(observer.Epochs[0]));
    }

    [Fact]
    public void AHealthyNetworkHasNoProblemsAndACollapseIsMeasuredAgainstTheMedian()
    {
        var healthy = new[] { new StageHealth("stem", 0.5, 0.1, 0.5), new StageHealth("layer1", 0.2, 0.0, 0.4), new StageHealth("fc", 1.0, double.NaN, double.NaN) };
        Assert.Empty(StageHealth.Problems(healthy));
        var collapsed = healthy.Append(new StageHealth("layer2", 1e-4, 0.2, 0.5)).ToList();
        Assert.Equal(["layer2 gradient norm 0.0001 (median of parts 0.35)"], StageHealth.Problems(collapsed));
    }

    private static MultiHeadNetwork TinyNetwork() => MultiHeadNetwork.FromSpec(
        ResNetSpecJson.Parse("""{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 4, "inChannels": 1}"""),
        [new ClassificationHead("fc", ["a", "b", "c", "d"]) { Column = InMemoryImageSet.ClassColumn }]);

    private static InMemoryImageSet RandomImages(int count, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var images = randint(0, 256, [count, 1, 16, 16], generator: generator).to(ScalarType.Byte);
        var labels = randint(0, 4, [count], generator: generator);
        return new InMemoryImageSet(images, [LabelColumn.Classes(InMemoryImageSet.ClassColumn, ["a", "b", "c", "d"])],
            new Dictionary<string, Tensor> { [InMemoryImageSet.ClassColumn] = labels }, [0.5], [0.25], "random images");
    }
}
