using ResNetSharp.Interop;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Reliability;

/// <summary>Faults injected into real training runs (RESNETSHARP_FAULT): the report names what happened and no good checkpoint is lost.</summary>
[Trait("Category", "Reliability")]
public class FaultInjectionTests
{
    private static TrainingFailedException TrainWithFault(TinyRun run, string fault, string folder)
    {
        Environment.SetEnvironmentVariable(FaultInjection.Variable, fault);
        try
        {
            var config = run.Config with { Run = run.Config.Run with { CheckpointEvery = 2, LogEvery = 100 } };
            return Assert.Throws<TrainingFailedException>(() =>
                new Trainer(config, folder, CPU, run.DataDir, new TrainingObserver()).Run(false, false, CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable(FaultInjection.Variable, null);
        }
    }

    private static CheckpointStore.Loaded LatestGood(string folder)
    {
        var warnings = new List<string>();
        var loaded = new CheckpointStore(folder).LoadLatest(warnings.Add)!;
        Assert.Empty(warnings);
        foreach (var (name, tensor) in loaded.Tensors)
            Assert.True(tensor.isfinite().all().item<bool>(), $"{name} is not finite in {loaded.Path}");
        return loaded;
    }

    [Fact]
    public void ANaNLossIsReportedWithStepsAndBatchAndTheGoodCheckpointIsKept()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("nan");
        var error = TrainWithFault(run, "nan-loss@5", folder);
        Assert.Contains("between steps 5 and 6", error.Message);
        Assert.Contains("batch size 16", error.Message);
        Assert.Contains("checkpoint.safetensors, left as it was", error.Message);
        var loaded = LatestGood(folder);
        Assert.Equal(4, loaded.Progress.GlobalStep);
        ReliabilityLog.Record("faults", "NaN loss", "nan-loss injected at step 5, checkpoints every 2 steps", 1,
            $"ok: stopped naming steps 5-6 and batch size; checkpoint at step {loaded.Progress.GlobalStep} intact and finite");
    }

    [Fact]
    public void OutOfMemoryIsReportedWithBatchSizeAndDeviceAndTheCheckpointIsKept()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("oom");
        var error = TrainWithFault(run, "oom@3", folder);
        Assert.Contains("out of memory on cpu at step 3 with batch size 16", error.Message);
        Assert.Contains("Try a smaller --batch-size", error.Message);
        var loaded = LatestGood(folder);
        Assert.Equal(2, loaded.Progress.GlobalStep);
        ReliabilityLog.Record("faults", "out of memory", "allocation failure injected at step 3", 1,
            $"ok: reported with step, batch size and device; checkpoint at step {loaded.Progress.GlobalStep} intact");
    }

    [Fact]
    public void AMalformedFaultVariableIsAClearError()
    {
        Environment.SetEnvironmentVariable(FaultInjection.Variable, "explode@now");
        try
        {
            var error = Assert.Throws<ArgumentException>(FaultInjection.FromEnvironment);
            Assert.Contains("RESNETSHARP_FAULT='explode@now'", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FaultInjection.Variable, null);
        }
    }

    [Fact]
    public void Fp16SkipsAStepWithNonFiniteGradientsHalvesTheScaleAndCarriesOn()
    {
        using var run = new TinyRun(trainImages: 64, testImages: 16);
        string folder = run.RunFolder("fp16");
        var observer = new RecordingObserver();
        Environment.SetEnvironmentVariable(FaultInjection.Variable, "nan-loss@3");
        TrainingOutcome outcome;
        try
        {
            outcome = new Trainer(run.Config with { Schedule = run.Config.Schedule with { Epochs = 1 }, Precision = new PrecisionConfig { Compute = Precision.Fp16 } }, folder, CPU, run.DataDir, observer)
                .Run(false, false, CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FaultInjection.Variable, null);
        }
        Assert.True(outcome.Completed);
        Assert.Contains(observer.Warnings, w => w.Contains("fp16: skipped 1 step(s)") && w.Contains("by step 3"));
        Assert.True(outcome.Progress.LossScale <= 32768, $"loss scale {outcome.Progress.LossScale}");
        Assert.True(double.IsFinite(observer.Epochs.Single().TrainLoss));

        var loaded = new CheckpointStore(folder).LoadLatest(_ => { })!;
        Assert.Equal(outcome.Progress.LossScale, loaded.Progress.LossScale);
        Assert.Equal(3, loaded.OptimizerSteps); // 4 steps, one skipped
        foreach (var (name, tensor) in loaded.Tensors)
        {
            Assert.True(tensor.isfinite().all().item<bool>(), $"{name} is not finite");
            tensor.Dispose();
        }
        ReliabilityLog.Record("faults", "NaN loss with fp16 loss scaling", "nan-loss injected at step 3 of an fp16 run", 1,
            $"ok: step skipped, loss scale halved to {outcome.Progress.LossScale:G}, run finished with finite weights");
    }
}
