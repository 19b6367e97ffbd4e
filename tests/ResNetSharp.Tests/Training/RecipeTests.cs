using System.Globalization;
using ResNetSharp.Cli;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class RecipeTests
{
    [Fact]
    public void AdamMatchesTorchAdamWithItsL2WeightDecay()
    {
        manual_seed(11);
        var values = new[] { randn(4, 3, 3, 3), randn(4) };
        var ours = values.Select((v, i) => ($"p{i}", v.clone().requires_grad_())).ToList();
        var theirs = values.Select(v => new TorchSharp.Modules.Parameter(v.clone())).ToList();
        var adam = new AdamOptimizer(ours, 0.9, 0.999, 1e-8, 0.05, decayNormsAndBiases: true);
        using var reference = optim.Adam(theirs, 0.01, 0.9, 0.999, 1e-8, weight_decay: 0.05);
        for (int step = 0; step < 5; step++)
        {
            adam.ZeroGrad();
            reference.zero_grad();
            foreach (var (parameters, index) in new[] { (ours.Select(p => p.Item2), 0), (theirs.Cast<Tensor>(), 1) })
            {
                int i = 0;
                foreach (var p in parameters)
                {
                    manual_seed(step * 10 + i++);
                    (p * randn(p.shape)).pow(2).sum().backward();
                }
            }
            adam.Step(0.01);
            reference.step();
        }
        for (int i = 0; i < ours.Count; i++)
            Assert.True(ours[i].Item2.allclose(theirs[i], rtol: 1e-5, atol: 1e-6), ours[i].Item1);
        // Decay through the adaptive scaling is not AdamW's decoupled decay: the two part ways.
        var decoupled = values.Select((v, i) => ($"p{i}", v.clone().requires_grad_())).ToList();
        var adamW = new AdamWOptimizer(decoupled, 0.9, 0.999, 1e-8, 0.05, decayNormsAndBiases: true);
        foreach (var (_, p) in decoupled)
            p.grad = ones_like(p);
        adamW.Step(0.01);
        Assert.False(decoupled[0].Item2.allclose(ours[0].Item2, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void StepScheduleDropsByGammaAtEpochAndIterationMilestones()
    {
        var byEpochs = LearningRateSchedule.For(new ScheduleConfig { Epochs = 90, Kind = ScheduleKind.Step, StepEpochs = [30, 60.5], Gamma = 0.2 }, 0.1, 10);
        Assert.Equal([0.1, 0.02, 0.02, 0.004, 0.004], new long[] { 299, 300, 604, 605, 899 }.Select(s => Math.Round(byEpochs.At(s), 12)));
        // The paper's schedule: ÷10 at 32k and 48k iterations of 64k, whatever the epoch length.
        var paper = LearningRateSchedule.For(new ScheduleConfig { Epochs = 164, Kind = ScheduleKind.Step, StepIterations = [32000, 48000] }, 0.1, 390);
        Assert.Equal([0.1, 0.01, 0.01, 0.001], new long[] { 31999, 32000, 47999, 48000 }.Select(s => Math.Round(paper.At(s), 12)));
        var warm = LearningRateSchedule.For(new ScheduleConfig { Epochs = 4, Kind = ScheduleKind.Step, StepEpochs = [2], WarmupEpochs = 1 }, 1.0, 10);
        Assert.Equal([0.1, 1.0, 1.0, 0.1], new long[] { 0, 9, 19, 20 }.Select(s => Math.Round(warm.At(s), 12)));
    }

    [Theory]
    [InlineData(true, 0.5, 1, "0.1,0.2,0.2,0.2,0.3,0.3,0.3,0.3,0.30001,0.29")]
    [InlineData(false, 0.1, 0, "2.0,1.5,1.5,1.49999,1.6,1.0,1.0")]
    public void PlateauReductionMatchesTorchReduceLROnPlateau(bool higherIsBetter, double gamma, int patience, string values)
    {
        string output = ReferencePython.Run("recipe_reference.py", "plateau", higherIsBetter ? "max" : "min",
            gamma.ToString(CultureInfo.InvariantCulture), patience.ToString(CultureInfo.InvariantCulture), values);
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToList();
        var state = PlateauReduction.Start;
        var actual = new List<double>();
        foreach (var value in values.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)))
        {
            state = state.After(value, higherIsBetter, gamma, patience);
            actual.Add(state.Factor);
        }
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i], actual[i], 12);
        Assert.Contains(expected, f => f < 1); // the sequence does reduce
    }

    [Theory]
    [InlineData(28, 64)] // Fashion-MNIST upsampled
    [InlineData(32, 20)] // shrinking: antialiased
    public void ResizeMatchesTorchvisionResizeOnUint8Tensors(int size, int side)
    {
        using var folder = new TemporaryFolder();
        manual_seed(7);
        using var images = randint(0, 256, [2, 3, size, size]).to(ScalarType.Byte);
        File.WriteAllBytes(folder.File("in.bin"), images.bytes.ToArray());
        ReferencePython.Run("recipe_reference.py", "resize", folder.File("in.bin"), folder.File("out.bin"), "2", "3", $"{size}", $"{size}", $"{side}");
        var expected = File.ReadAllBytes(folder.File("out.bin"));
        using var resized = ResizedImageSet.Resize(images, side);
        Assert.Equal(new long[] { 2, 3, side, side }, resized.shape);
        var actual = resized.bytes.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        // float32 rounding may put a value that lands on .5 on the other side: at most 1 apart, and rarely.
        int different = expected.Zip(actual).Count(p => p.First != p.Second);
        Assert.True(expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= 1), "a pixel differs by more than 1");
        Assert.True(different <= expected.Length / 1000, $"{different} of {expected.Length} pixels differ");
    }

    public static TheoryData<string> RecipeFiles() => new(Directory.GetFiles(RepositoryFolder("recipes"), "*.json").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(RecipeFiles))]
    public void EveryShippedRecipeParsesAndValidates(string file)
    {
        string path = Path.Combine(RepositoryFolder("recipes"), file);
        var config = TrainingConfig.FromJson(File.ReadAllText(path), path);
        Assert.Equal(0, config.Augmentation.LabelSmoothing);
        Assert.Equal(0, config.Augmentation.ErasingProbability);
        var model = ResNetSharp.Models.ModelCatalog.Get(config.Model);
        Assert.NotNull(model);
    }

    [Fact]
    public void ThePaperRecipeRunsSixtyFourThousandIterationsDividedAt32kAnd48k()
    {
        string path = Path.Combine(RepositoryFolder("recipes"), "cifar_paper.json");
        var config = TrainingConfig.FromJson(File.ReadAllText(path), path);
        long stepsPerEpoch = 50_000 / config.Optimization.BatchSize;
        Assert.InRange(stepsPerEpoch * config.Schedule.Epochs, 63_500, 64_000);
        var schedule = LearningRateSchedule.For(config.Schedule, config.Optimization.LearningRate, stepsPerEpoch);
        Assert.Equal([0.1, 0.01, 0.001], new long[] { 0, 32_000, 63_000 }.Select(s => Math.Round(schedule.At(s), 12)));
        Assert.Equal(1e-4, config.Optimization.WeightDecay);
        Assert.False(config.Optimization.Nesterov);
    }

    [Fact]
    public void AResumedRunWithAdamAndAPlateauScheduleEndsWithBitIdenticalWeights()
    {
        using var run = new TinyRun();
        // Patience 0 with a rising threshold: the rate is cut whenever top-1 does not improve, so the factor moves.
        var config = run.Config with
        {
            Optimization = run.Config.Optimization with { Optimizer = OptimizerKind.Adam, LearningRate = 0.003, WeightDecay = 1e-3 },
            Schedule = new ScheduleConfig { Epochs = 3, Kind = ScheduleKind.Plateau, PlateauPatience = 0, Gamma = 0.5 },
            Run = run.Config.Run with { CheckpointEvery = 2 },
        };
        var whole = TrainingRuns.Train(config, run.RunFolder("whole"), run.DataDir);
        Assert.True(whole.Completed);
        string folder = run.RunFolder("interrupted");
        Assert.False(TrainingRuns.Train(config, folder, run.DataDir, stopAfter: 7).Completed);
        Assert.False(TrainingRuns.Train(config, folder, run.DataDir, resume: true, stopAfter: 13).Completed);
        var finished = TrainingRuns.Train(config, folder, run.DataDir, resume: true);
        Assert.True(finished.Completed);
        Assert.Equal(whole.Progress.Plateau, finished.Progress.Plateau);
        var expected = TrainingRuns.Weights(Path.Combine(run.RunFolder("whole"), "last.safetensors"));
        var actual = TrainingRuns.Weights(Path.Combine(folder, "last.safetensors"));
        Assert.All(expected, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(actual[kv.Key]), $"{kv.Key} differs"));
    }

    [Fact]
    public void AResumedRunWithAStepScheduleEndsWithBitIdenticalWeights()
    {
        using var run = new TinyRun();
        var config = run.Config with
        {
            Optimization = run.Config.Optimization with { Nesterov = false, Momentum = 0.8 },
            Schedule = new ScheduleConfig { Epochs = 3, Kind = ScheduleKind.Step, StepIterations = [5, 11], Gamma = 0.3 },
        };
        var whole = TrainingRuns.Train(config, run.RunFolder("whole"), run.DataDir);
        string folder = run.RunFolder("interrupted");
        Assert.False(TrainingRuns.Train(config, folder, run.DataDir, stopAfter: 8).Completed);
        Assert.True(TrainingRuns.Train(config, folder, run.DataDir, resume: true).Completed);
        var expected = TrainingRuns.Weights(Path.Combine(run.RunFolder("whole"), "last.safetensors"));
        var actual = TrainingRuns.Weights(Path.Combine(folder, "last.safetensors"));
        Assert.All(expected, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(actual[kv.Key]), $"{kv.Key} differs"));
        var rates = File.ReadAllLines(Path.Combine(run.RunFolder("whole"), "metrics.jsonl")).Where(l => l.Contains("\"kind\":\"step\""))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("learningRate").GetDouble()).ToList();
        Assert.Equal(0.05, rates[4], 12);
        Assert.Equal(0.015, rates[5], 12);
        Assert.Equal(0.0045, rates[^1], 12);
    }

    [Fact]
    public void MeanStdAndResizeReachTheRunAndItsWeightsMetadata()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("cli");
        var (code, _, error) = SummaryCommandTests.Run("train", "--model", run.ModelFile, "--data-dir", run.DataDir, "--epochs", "1",
            "--batch-size", "16", "--device", "cpu", "-o", folder, "--quiet", "--mean", "0.25", "--std", "0.5", "--resize", "20",
            "--optimizer", "adam", "--lr", "0.001", "--schedule", "step", "--step-epochs", "0.5", "--no-nesterov");
        Assert.True(code == 0, error);
        var metadata = ResNetSharp.Interop.SafetensorsFile.Load(Path.Combine(folder, "last.safetensors")).Metadata;
        var preprocessing = ResNetSharp.Imaging.ImagePreprocessing.FromJson(metadata["preprocessing"]);
        Assert.Equal([0.25], preprocessing.Mean);
        Assert.Equal([0.5], preprocessing.Std);
        Assert.Equal(20, preprocessing.CropTo);
    }

    [Theory]
    [InlineData("--mean", "0.5,abc", "--mean is '0.5,abc'; expected numbers separated by commas")]
    [InlineData("--std", "0.2,0.3", "--std is 2 value(s); expected 1, one per channel")]
    [InlineData("--step-iterations", "100.5", "--step-iterations is '100.5'; expected whole numbers")]
    [InlineData("--step-epochs", "3,2", "--step-epochs is [3, 2]; expected ascending positive epochs")]
    [InlineData("--gamma", "0", "--gamma is 0; expected in (0, 1]")]
    public void BadRecipeArgumentsExitWithCodeTwoAndOneLine(string option, string value, string expected)
    {
        using var run = new TinyRun();
        var (code, _, error) = SummaryCommandTests.Run("train", "--model", run.ModelFile, "--data-dir", run.DataDir, "--device", "cpu",
            "-o", run.RunFolder("bad"), option, value);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void AStepScheduleWithoutMilestonesIsRefusedNamingTheProperty()
    {
        var error = Assert.Throws<ConfigException>(() => new TrainingConfig { Schedule = new ScheduleConfig { Kind = ScheduleKind.Step } }.Validate());
        Assert.Equal("schedule.stepEpochs", error.Property);
    }

    /// <summary>A folder of the repository, found above the test binaries.</summary>
    internal static string RepositoryFolder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, name)) && File.Exists(Path.Combine(dir.FullName, "ResNetSharp.slnx")))
                return Path.Combine(dir.FullName, name);
        throw new DirectoryNotFoundException($"no {name}/ above {AppContext.BaseDirectory}");
    }
}
