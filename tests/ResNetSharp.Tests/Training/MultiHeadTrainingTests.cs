using System.Globalization;
using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

/// <summary>
/// What works for a classifier works for a two-head network (a disc's radius by regression, its colour by
/// classification, on the generated discs): bf16 and fp16 with loss scaling, channels-last, the weight
/// average, per-head TensorBoard scalars, <c>--target HEAD.METRIC=VALUE</c>, and a regression loss chosen in the config.
/// </summary>
public class MultiHeadTrainingTests
{
    /// <summary>48 training and 16 validation discs at 24x24 and a two-stage tiny backbone: three steps an epoch.</summary>
    private sealed class Discs : IDisposable
    {
        private readonly TemporaryFolder _folder = new();

        public Discs()
        {
            Train = MultiHeadCommandTests.WriteDiscs(_folder, "train", 48, 21).Manifest;
            Validation = MultiHeadCommandTests.WriteDiscs(_folder, "val", 16, 22).Manifest;
            File.WriteAllText(ModelFile, """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3}""");
        }

        public string Train { get; }

        public string Validation { get; }

        public string ModelFile => _folder.File("tiny.json");

        public string Folder(string name) => _folder.File(name);

        public TrainingConfig Config => new()
        {
            Model = ModelFile,
            Heads = [new HeadConfig { Name = "radius", Kind = HeadKind.Regression }, new HeadConfig { Name = "colour" }],
            Data = new DataConfig { Manifest = Train, ValidationManifest = Validation, ImageSize = 24, InMemoryImages = true },
            Schedule = new ScheduleConfig { Epochs = 2 },
            Optimization = new OptimizationConfig { BatchSize = 16, LearningRate = 0.05 },
            Augmentation = new AugmentationConfig { ErasingProbability = 0 },
            Run = new RunConfig { LogEvery = 1, Seed = 3 },
        };

        /// <summary>The CLI arguments that train <see cref="Config"/> (without precision, EMA or target).</summary>
        public string[] TrainArguments(string run) =>
        [
            "train", "--manifest", Train, "--val-manifest", Validation, "--heads", "radius=regression,colour=classification",
            "--model", ModelFile, "--image-size", "24", "--in-memory-images", "--batch-size", "16", "--lr", "0.05", "--erasing", "0",
            "--seed", "3", "--device", "cpu", "-o", run, "--quiet",
        ];

        public void Dispose() => _folder.Dispose();
    }

    private sealed class Recorder : TrainingObserver
    {
        public List<StepReport> Steps { get; } = [];

        public List<EpochReport> Epochs { get; } = [];

        public override void Step(StepReport report) => Steps.Add(report);

        public override void Epoch(EpochReport report) => Epochs.Add(report);
    }

    private static (TrainingOutcome Outcome, Recorder Recorder) Train(TrainingConfig config, string folder)
    {
        var recorder = new Recorder();
        var outcome = new Trainer(config, folder, CPU, null, recorder).Run(resume: false, force: false, CancellationToken.None);
        return (outcome, recorder);
    }

    /// <summary>The header and rows of epochs.csv as name → value per row.</summary>
    private static List<Dictionary<string, double>> EpochRows(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "epochs.csv"));
        var names = lines[0].Split(',');
        return lines.Skip(1).Select(line => names.Zip(line.Split(','), (n, v) => (n, double.Parse(v, CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.n, p => p.Item2)).ToList();
    }

    [Theory]
    [InlineData(Precision.Bf16)]
    [InlineData(Precision.Fp16)]
    public void LowPrecisionTrainsBothHeadsAndRecordsEachHeadsMetricsInTheLogsAndTensorBoard(Precision precision)
    {
        using var discs = new Discs();
        string folder = discs.Folder("run");
        var (outcome, recorder) = Train(discs.Config with { Precision = new PrecisionConfig { Compute = precision } }, folder);

        Assert.True(outcome.Completed);
        Assert.Equal(6, recorder.Steps.Count);
        Assert.All(recorder.Steps, s => Assert.True(double.IsFinite(s.Loss), $"step {s.Step}: loss {s.Loss}"));
        if (precision == Precision.Fp16)
            Assert.True(outcome.Progress.LossScale is > 1 and <= 65536, $"loss scale {outcome.Progress.LossScale}");
        Assert.Equal(2, recorder.Epochs.Count);
        foreach (var epoch in recorder.Epochs)
        {
            var radius = Assert.IsType<RegressionResult>(epoch.Evaluation.Heads["radius"]);
            var colour = Assert.IsType<EvaluationResult>(epoch.Evaluation.Heads["colour"]);
            Assert.Equal(16, radius.Samples);
            Assert.Equal(16, colour.Samples);
            Assert.True(double.IsFinite(radius.Mae) && double.IsFinite(radius.Rmse) && double.IsFinite(colour.Top1) && double.IsFinite(colour.Loss));
            Assert.Null(epoch.Ema); // no weight average unless asked
        }
        Assert.False(File.Exists(Path.Combine(folder, "ema.safetensors")));

        // epochs.csv: a HEAD.METRIC column per head's metric, holding the epoch's evaluation.
        var rows = EpochRows(folder);
        Assert.Equal(2, rows.Count);
        for (int e = 0; e < 2; e++)
            foreach (var (head, result) in recorder.Epochs[e].Evaluation.Heads)
                foreach (var metric in result.Metrics)
                    Assert.Equal(metric.Value, rows[e][$"{head}.{metric.Name}"], 12);

        // TensorBoard: test/HEAD/METRIC at each epoch's last global step, as the event file holds them.
        var scalars = TensorBoardLogTests.ReadScalars(new TensorBoardLog(folder).LogDir);
        foreach (var (head, metric) in new[] { ("radius", "mae"), ("radius", "rmse"), ("radius", "loss"), ("colour", "top1"), ("colour", "top5"), ("colour", "loss") })
        {
            var logged = scalars.Where(s => s.Tag == $"test/{head}/{metric}").ToList();
            Assert.Equal(new long[] { 3, 6 }, logged.Select(s => s.Step));
            Assert.Equal(recorder.Epochs.Select(e => (float)e.Evaluation.Heads[head].Find(metric)!.Value), logged.Select(s => s.Value));
        }
        Assert.Equal(6, scalars.Count(s => s.Tag == "train/loss"));
        Assert.DoesNotContain(scalars, s => s.Tag.StartsWith("ema/", StringComparison.Ordinal) || s.Tag == "test/top1");
    }

    [Fact]
    public void ChannelsLastTrainsTheSameNetworkAsContiguousWithinFloatTolerance()
    {
        using var discs = new Discs();
        var (contiguous, _) = Train(discs.Config, discs.Folder("contiguous"));
        var (nhwc, _) = Train(discs.Config with { Precision = new PrecisionConfig { ChannelsLast = true } }, discs.Folder("nhwc"));

        // Convolutions sum in another order in NHWC (gradients agree to about 1e-4 relative, see LowPrecisionAndLayoutTests);
        // six SGD steps with momentum through batch norm carry that to a few 1e-4 (measured: 2.5e-4 on conv1.weight, 1.3e-4
        // on bn1.bias). A layout mistake moves weights by tenths.
        using var expected = Checkpoint(discs.Folder("contiguous"));
        using var actual = Checkpoint(discs.Folder("nhwc"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            double scale = e.abs().max().item<double>();
            double difference = e.sub(actual[name]).abs().max().item<double>();
            Assert.True(difference <= 5e-4 + 2e-3 * scale, $"{name}: differs by {difference:G3} against values up to {scale:G3}");
        }
        var a = (RegressionResult)contiguous.LastEvaluation!.Heads["radius"];
        var b = (RegressionResult)nhwc.LastEvaluation!.Heads["radius"];
        Assert.Equal(a.Mae, b.Mae, 1e-3 * a.Mae);
        Assert.Equal(contiguous.LastEvaluation.Heads["colour"].Loss, nhwc.LastEvaluation.Heads["colour"].Loss, 1e-3 * contiguous.LastEvaluation.Heads["colour"].Loss);
    }

    /// <summary>last.safetensors as float tensors by name (disposed together).</summary>
    private sealed class Weights(Dictionary<string, Tensor> tensors) : Dictionary<string, Tensor>(tensors), IDisposable
    {
        public void Dispose()
        {
            foreach (var tensor in Values)
                tensor.Dispose();
        }
    }

    private static Weights Checkpoint(string folder) => new(ResNetSharp.Interop.SafetensorsFile.Load(Path.Combine(folder, "last.safetensors")).Tensors
        .ToDictionary(t => t.Name, t => t.Tensor.to(ScalarType.Float64)));

    [Fact]
    public void TheWeightAverageIsWhatIsEvaluatedAsEmaAndSavedAsEmaSafetensors()
    {
        using var discs = new Discs();
        string folder = discs.Folder("run");
        var (outcome, recorder) = Train(discs.Config with { Optimization = discs.Config.Optimization with { EmaDecay = 0.9 } }, folder);
        Assert.True(outcome.Completed);
        var ema = recorder.Epochs[^1].Ema!;
        var raw = recorder.Epochs[^1].Evaluation;
        // (After six steps both may still predict about the median radius, where the MAE is flat: the RMSE tells them apart.)
        Assert.NotEqual(((RegressionResult)raw.Heads["radius"]).Rmse, ((RegressionResult)ema.Heads["radius"]).Rmse);

        // resnet eval of each saved file reproduces the evaluation the run reported for it.
        foreach (var (file, evaluation) in new[] { ("ema.safetensors", ema), ("last.safetensors", raw) })
        {
            var (code, output, error) = SummaryCommandTests.Run("eval", "--weights", Path.Combine(folder, file), "--manifest", discs.Validation,
                "--device", "cpu", "--json");
            Assert.True(code == 0, error);
            var heads = JsonDocument.Parse(output).RootElement.GetProperty("heads");
            var radius = (RegressionResult)evaluation.Heads["radius"];
            Assert.Equal(radius.Mae, heads.GetProperty("radius").GetProperty("mae").GetDouble(), 1e-5 * radius.Mae);
            Assert.Equal(radius.Rmse, heads.GetProperty("radius").GetProperty("rmse").GetDouble(), 1e-5 * radius.Rmse);
            Assert.Equal(((EvaluationResult)evaluation.Heads["colour"]).Top1, heads.GetProperty("colour").GetProperty("top1").GetDouble(), 12);
        }

        var scalars = TensorBoardLogTests.ReadScalars(new TensorBoardLog(folder).LogDir);
        Assert.Equal(recorder.Epochs.Select(e => (float)((RegressionResult)e.Ema!.Heads["radius"]).Rmse),
            scalars.Where(s => s.Tag == "ema/radius/rmse").Select(s => s.Value));
        Assert.Equal(EpochRows(folder).Select(r => r["ema.colour.top1"]), recorder.Epochs.Select(e => ((EvaluationResult)e.Ema!.Heads["colour"]).Top1));
    }

    [Fact]
    public void TargetOnOneHeadsMetricStopsEarlyAndABadOneIsRefusedBeforeTrainingNamingTheHeadsMetrics()
    {
        using var discs = new Discs();
        string reached = discs.Folder("reached");
        var (code, output, error) = SummaryCommandTests.Run([.. discs.TrainArguments(reached), "--epochs", "3", "--target", "radius.mae=1000"]);
        Assert.True(code == 0, error + output);
        Assert.Contains("target radius.mae 1000 reached at epoch 1", output);
        Assert.Single(EpochRows(reached));

        // A metric no head reports, or a head that does not exist: one line naming the flag, the value and each head's metrics.
        foreach (var bad in new[] { "radius.top1=0.9", "size.mae=1" })
        {
            string run = discs.Folder(bad);
            var (badCode, badOutput, badError) = SummaryCommandTests.Run([.. discs.TrainArguments(run), "--epochs", "3", "--target", bad]);
            Assert.Equal(CliApp.UsageError, badCode);
            string expected = $"--target is {bad}; expected a metric of the heads (radius: mae, rmse, loss; colour: top1, top5, loss).";
            Assert.True(badError.Contains(expected, StringComparison.Ordinal), badError);
            Assert.Single(badError.Trim().Split('\n'));
            Assert.False(File.Exists(Path.Combine(run, "epochs.csv")), "refused before the first epoch: " + badOutput);
        }

        // The library says the same in its own terms.
        var config = discs.Config with { Run = discs.Config.Run with { Target = MetricTarget.Parse("colour.mae=1", "run.target") } };
        var refused = Assert.Throws<ConfigException>(() => Train(config, discs.Folder("library")));
        Assert.Equal("run.target", refused.Property);
        Assert.Contains("colour: top1, top5, loss", refused.Message);
    }

    [Theory]
    [InlineData("l1", RegressionLoss.L1)]
    [InlineData("mse", RegressionLoss.Mse)]
    public void TheConfigsRegressionLossIsTheHeadsLoss(string loss, RegressionLoss expected)
    {
        using var discs = new Discs();
        var config = TrainingConfig.FromJson(JsonSerializer.Serialize(new
        {
            model = discs.ModelFile,
            heads = new object[] { new { name = "radius", kind = "regression", loss }, new { name = "colour", kind = "classification" } },
            data = new { manifest = discs.Train, validationManifest = discs.Validation, imageSize = 24, inMemoryImages = true },
        }), "test config");
        using var setup = TrainingSetup.FromConfig(config, CPU, null, new TrainingObserver());
        using var network = setup.CreateNetwork();
        var head = Assert.IsType<RegressionHead>(network.Heads[0]);
        Assert.Equal(expected, head.LossKind);

        // Standardised by the training set: a batch one std above the mean on every target costs 1 with L1 and with MSE.
        using var targets = setup.Train.Targets("radius");
        var (mean, std) = RegressionHead.Statistics(targets);
        using var outputs = targets.nan_to_num(0).add(std[0]);
        using var value = head.Loss(outputs, targets);
        Assert.Equal(1.0, value.item<float>(), 5);
        Assert.Equal(mean[0], head.Mean[0], 12);
    }
}
