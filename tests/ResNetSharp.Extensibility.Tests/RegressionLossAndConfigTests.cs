using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Extensibility.Tests;

/// <summary>A backbone that ignores the images: one feature, always 1, so every output of a head is its weight plus its bias.</summary>
public sealed class ConstantBackbone : nn.Module<Tensor, Tensor>
{
    public ConstantBackbone() : base(nameof(ConstantBackbone)) => RegisterComponents();

    public override Tensor forward(Tensor x) => ones([x.shape[0], 1], ScalarType.Float32, x.device);
}

/// <summary>The regression losses a user chooses are the formulas they name, in the head and in the engine's steps; config errors name the property.</summary>
public class RegressionLossAndConfigTests
{
    [Theory]
    [InlineData(RegressionLoss.L1, 1.5)]
    [InlineData(RegressionLoss.Mse, 2.5)]
    [InlineData(RegressionLoss.SmoothL1, 1.0)]
    public void ARegressionHeadsLossIsItsFormulaOnStandardisedValuesOverTheLabelledSamples(RegressionLoss kind, double expected)
    {
        // Mean 2, std 4: outputs 2, 6, 10 are 0, 1, 2 standardised; targets 6, (none), 2 are 1 and 0. Differences -1 and 2:
        // L1 (1 + 2) / 2, MSE (1 + 4) / 2, smooth L1 (β = 1) (0.5 + 1.5) / 2. The unlabelled sample's output is left out.
        var head = new RegressionHead("r", mean: [2], std: [4]) { LossKind = kind };
        using var outputs = tensor(new float[] { 2, 6, 10 }, [3, 1]);
        using var targets = tensor(new float[] { 6, float.NaN, 2 }, [3, 1]);
        using var loss = head.Loss(outputs, targets);
        Assert.Equal(expected, loss.item<float>(), 6);
    }

    private sealed class StepLosses : TrainingObserver
    {
        public List<double> Losses { get; } = [];

        public override void Step(StepReport report) => Losses.Add(report.Loss);
    }

    [Theory]
    [InlineData(RegressionLoss.L1)]
    [InlineData(RegressionLoss.Mse)]
    public void TheEngineTrainsOnTheChosenLoss(RegressionLoss kind)
    {
        using var folder = new Folder();
        var data = new DiscImages(8, 9);
        double? initial = null;
        using var setup = new TrainingSetup
        {
            CreateNetwork = () =>
            {
                var network = new MultiHeadNetwork(new ConstantBackbone(), 1, [new RegressionHead("radius", mean: [4], std: [2]) { LossKind = kind }]);
                var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.item<float>());
                initial ??= parameters["radius.fc.weight"] + parameters["radius.fc.bias"];
                return network;
            },
            Train = data,
            Validation = new DiscImages(4, 10),
        };
        var config = new TrainingConfig
        {
            Schedule = new ScheduleConfig { Epochs = 1, Kind = ScheduleKind.Constant },
            Optimization = new OptimizationConfig { BatchSize = 8, LearningRate = 0.1 },
            Run = new RunConfig { LogEvery = 1 },
        };
        var steps = new StepLosses();
        Assert.True(new Trainer(setup, config, folder.File("run"), CPU, steps).Run(resume: false, force: false, CancellationToken.None).Completed);

        // The one batch is the whole set, in any order: every standardised output is the initial w + b, every target (r - 4) / 2.
        double z = initial!.Value;
        using var radii = data.Targets("radius");
        var targets = radii.data<float>().ToArray().Where(float.IsFinite).Select(r => (r - 4.0) / 2.0).ToList();
        Assert.Equal(6, targets.Count); // every fourth radius is unlabelled and left out
        double expected = kind == RegressionLoss.L1 ? targets.Average(t => Math.Abs(z - t)) : targets.Average(t => (z - t) * (z - t));
        Assert.Equal(expected, Assert.Single(steps.Losses), 1e-5 * expected);
    }

    private static TrainingSetup Discs(int count) => new()
    {
        CreateNetwork = () => new MultiHeadNetwork(new TinyBackbone(), TinyBackbone.Features,
            [new PinballHead("radius"), new ClassificationHead("colour", DiscImages.Colours)]),
        Train = new DiscImages(count, 11),
        Validation = new DiscImages(4, 12),
    };

    [Fact]
    public void ConfigErrorsNameTheConfigsPropertyAndComeBeforeAnyStep()
    {
        var learningRate = Assert.Throws<ConfigException>(() => new TrainingConfig { Optimization = new OptimizationConfig { LearningRate = -1 } }.Validate());
        Assert.Equal("optimization.learningRate", learningRate.Property);
        Assert.Equal("optimization.learningRate is -1; expected a positive number.", learningRate.Message);
        var weight = Assert.Throws<ConfigException>(() => new TrainingConfig { Heads = [new HeadConfig { Name = "age", Weight = -2 }] }.Validate());
        Assert.Equal("heads[0].weight", weight.Property);

        // Through the trainer with parts of our own: a batch larger than the data, and a target that no head reports.
        using var folder = new Folder();
        using var setup = Discs(8);
        var config = new TrainingConfig { Schedule = new ScheduleConfig { Epochs = 2 }, Optimization = new OptimizationConfig { BatchSize = 4 } };
        ConfigException Refused(TrainingConfig bad, string run) =>
            Assert.Throws<ConfigException>(() => new Trainer(setup, bad, folder.File(run), CPU, new TrainingObserver()).Run(false, false, CancellationToken.None));
        var batch = Refused(config with { Optimization = new OptimizationConfig { BatchSize = 16 } }, "batch");
        Assert.Equal("optimization.batchSize", batch.Property);
        Assert.Contains("8 training images of 8 generated discs", batch.Message);
        var target = Refused(config with { Run = new RunConfig { Target = new MetricTarget("radius", "mae", 1) } }, "target");
        Assert.Equal("run.target", target.Property);
        Assert.Equal("run.target is radius.mae=1; expected a metric of the heads (radius: pinball; colour: top1, top5, loss).", target.Message);
        Assert.False(File.Exists(Path.Combine(folder.File("target"), "checkpoint.safetensors")), "refused before the first step");
        Assert.All(new[] { learningRate, weight, batch, target }, e => Assert.DoesNotContain("--", e.Message));

        // A target a custom head reports is accepted, and reached.
        var reached = new Trainer(setup, config with { Run = new RunConfig { Target = new MetricTarget("radius", "pinball", 1e6) } }, folder.File("reached"), CPU,
            new TrainingObserver()).Run(false, false, CancellationToken.None);
        Assert.True(reached.Completed);
        Assert.Equal(1, reached.Progress.Epoch);
    }
}
