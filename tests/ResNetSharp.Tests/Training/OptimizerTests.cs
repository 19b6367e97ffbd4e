using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class OptimizerTests
{
    private static (List<(string, Tensor)> Ours, List<TorchSharp.Modules.Parameter> Theirs) TwinParameters()
    {
        var ours = new List<(string, Tensor)>();
        var theirs = new List<TorchSharp.Modules.Parameter>();
        foreach (var (name, shape) in new[] { ("conv.weight", new long[] { 4, 3, 3, 3 }), ("bn.bias", new long[] { 4 }) })
        {
            var value = randn(shape);
            ours.Add((name, value.clone().requires_grad_()));
            theirs.Add(new TorchSharp.Modules.Parameter(value.clone()));
        }
        return (ours, theirs);
    }

    private static void SetGradients(IEnumerable<Tensor> parameters, int step)
    {
        int i = 0;
        foreach (var p in parameters)
        {
            manual_seed(step * 10 + i++);
            (p * randn(p.shape)).sum().backward();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdMatchesTorchSgd(bool nesterov)
    {
        var (ours, theirs) = TwinParameters();
        var sgd = new SgdOptimizer(ours, 0.9, nesterov, 1e-3, decayNormsAndBiases: true);
        using var reference = optim.SGD(theirs, 0.1, momentum: 0.9, nesterov: nesterov, weight_decay: 1e-3);
        for (int step = 0; step < 4; step++)
        {
            sgd.ZeroGrad();
            reference.zero_grad();
            SetGradients(ours.Select(p => p.Item2), step);
            SetGradients(theirs, step);
            sgd.Step(0.1);
            reference.step();
        }
        for (int i = 0; i < ours.Count; i++)
            Assert.True(ours[i].Item2.allclose(theirs[i], rtol: 1e-5, atol: 1e-6), ours[i].Item1);
    }

    [Fact]
    public void AdamWMatchesTorchAdamW()
    {
        var (ours, theirs) = TwinParameters();
        var adam = new AdamWOptimizer(ours, 0.9, 0.999, 1e-8, 0.05, decayNormsAndBiases: true);
        using var reference = optim.AdamW(theirs, 0.01, 0.9, 0.999, 1e-8, 0.05);
        for (int step = 0; step < 4; step++)
        {
            adam.ZeroGrad();
            reference.zero_grad();
            SetGradients(ours.Select(p => p.Item2), step);
            SetGradients(theirs, step);
            adam.Step(0.01);
            reference.step();
        }
        for (int i = 0; i < ours.Count; i++)
            Assert.True(ours[i].Item2.allclose(theirs[i], rtol: 1e-5, atol: 1e-6), ours[i].Item1);
    }

    [Fact]
    public void NormsAndBiasesAreExcludedFromWeightDecayByDefault()
    {
        var (ours, _) = TwinParameters();
        var before = ours.Select(p => p.Item2.detach().clone()).ToList();
        var sgd = new SgdOptimizer(ours, 0, false, 0.5);
        foreach (var (_, p) in ours)
            p.grad = zeros_like(p);
        sgd.Step(1.0);
        Assert.True(ours[0].Item2.allclose(before[0] * 0.5));
        Assert.True(ours[1].Item2.eq(before[1]).all().item<bool>());
    }
}

public class LearningRateScheduleTests
{
    [Fact]
    public void OneCycleWarmsUpToThePeakThenAnnealsToItsFloor()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.OneCycle, 0.1, 100);
        Assert.Equal(0.004, schedule.At(0), 6);
        Assert.Equal(0.1, schedule.At(30), 6);
        Assert.True(schedule.At(29) < schedule.At(30) && schedule.At(31) < schedule.At(30));
        Assert.Equal(0.1 / 25 / 1e4, schedule.At(99), 9);
    }

    [Fact]
    public void CosineAndMultiStepFollowTheirShapes()
    {
        var cosine = new LearningRateSchedule(ScheduleKind.Cosine, 1.0, 110, WarmupSteps: 10);
        Assert.Equal(0.1, cosine.At(0), 6);
        Assert.Equal(1.0, cosine.At(10), 6);
        Assert.Equal(0.5, cosine.At(10 + 99 / 2.0 is var mid ? (long)mid : 0), 1);
        Assert.Equal(0.0, cosine.At(109), 6);
        var steps = new LearningRateSchedule(ScheduleKind.MultiStep, 1.0, 100, Milestones: [0.5, 0.75]);
        Assert.Equal([1.0, 0.1, 0.01], new[] { steps.At(49), steps.At(50), steps.At(99) }.Select(v => Math.Round(v, 6)));
    }
}
