using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

/// <summary>Optimisers packed into parameter groups update exactly as parameter by parameter.</summary>
public class PackedOptimizerTests
{
    private static readonly ResNetSpec Small = new()
    {
        Block = BlockKind.Basic, Depths = [1, 1], Widths = [8, 16], StemChannels = 8, Stem = StemKind.Cifar, NumClasses = 5,
    };

    private static ResNet Model(bool channelsLast)
    {
        manual_seed(21);
        var model = new ResNet(Small);
        if (channelsLast)
            MemoryFormat.ConvertWeights(model);
        return model;
    }

    private static Optimizer Create(string kind, ResNet model)
    {
        var parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        Func<string, double> scale = name => name.StartsWith("fc", StringComparison.Ordinal) ? 1.0 : 0.3;
        return kind == "sgd"
            ? new SgdOptimizer(parameters, 0.9, nesterov: true, weightDecay: 5e-4) { LearningRateScale = scale }
            : kind == "adam" ? new AdamOptimizer(parameters, 0.9, 0.999, 1e-8, 0.05) { LearningRateScale = scale }
            : new AdamWOptimizer(parameters, 0.9, 0.999, 1e-8, 0.05) { LearningRateScale = scale };
    }

    private static void TrainSteps(ResNet model, Optimizer optimizer, int steps, int seed = 0)
    {
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            manual_seed(100 + seed + step);
            var x = randn(4, 3, 12, 12);
            var y = randint(0, 5, [4]);
            optimizer.ZeroGrad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            optimizer.Step(0.05);
        }
    }

    [Theory]
    [InlineData("sgd", false)]
    [InlineData("sgd", true)]
    [InlineData("adamw", true)]
    [InlineData("adam", false)]
    public void PackedStepsEqualPerParameterSteps(string kind, bool channelsLast)
    {
        using var plain = Model(channelsLast);
        using var packed = Model(channelsLast);
        var reference = Create(kind, plain);
        var optimizer = Create(kind, packed);
        Assert.True(optimizer.Pack());
        Assert.True(optimizer.IsPacked);
        Assert.All(packed.parameters().Where(p => p.dim() == 4 && p.shape[2] > 1),
            p => Assert.Equal(channelsLast, MemoryFormat.IsChannelsLast(p)));

        TrainSteps(plain, reference, 4);
        TrainSteps(packed, optimizer, 4);

        var expected = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in packed.named_parameters())
            Assert.True(parameter.allclose(expected[name], rtol: 1e-6, atol: 1e-7), $"{kind}: {name} differs");
        var referenceState = reference.StateEntries().ToDictionary(e => e.Name, e => e.Tensor);
        Assert.Equal(referenceState.Keys.Order(), optimizer.StateEntries().Select(e => e.Name).Order());
        foreach (var (name, state) in optimizer.StateEntries())
            Assert.True(state.allclose(referenceState[name], rtol: 1e-6, atol: 1e-7), $"{kind}: state {name} differs");
    }

    [Theory]
    [InlineData(true, 0.01)]
    [InlineData(true, 1e6)]
    [InlineData(false, 0.01)]
    public void ClippingScalesTheGlobalGradientNormDownToTheLimitAndNeverUp(bool packed, double limit)
    {
        using var model = Model(channelsLast: true);
        var optimizer = Create("sgd", model);
        if (packed)
            optimizer.Pack();
        using var scope = NewDisposeScope();
        manual_seed(5);
        optimizer.ZeroGrad();
        nn.functional.cross_entropy(model.call(randn(4, 3, 12, 12)), randint(0, 5, [4])).backward();
        double GlobalNorm() => stack(model.parameters().Select(p => p.grad!.norm()).ToArray()).norm().item<float>();
        double before = GlobalNorm();
        Assert.True(before > 0.01, $"the test needs a gradient norm above 0.01, got {before}");

        optimizer.ClipGradientNorm(limit);

        Assert.Equal(Math.Min(before, limit), GlobalNorm(), Math.Min(before, limit) * 1e-4);
    }

    [Fact]
    public void GradientsAccumulateIntoTheGroupAndFrozenParametersStayPut()
    {
        using var model = Model(channelsLast: false);
        var optimizer = Create("sgd", model);
        optimizer.Pack();
        TrainSteps(model, optimizer, 1);
        using (var scope = NewDisposeScope())
        {
            var flat = cat(optimizer.Gradients().ToArray());
            var perParameter = model.parameters().Select(p => p.grad!.flatten()).ToList();
            Assert.Equal(perParameter.Sum(g => g.numel()), flat.numel());
            Assert.Equal(cat(perParameter.Select(g => g.abs().sum().unsqueeze(0)).ToArray()).sum().item<float>(),
                flat.abs().sum().item<float>(), 2);
        }

        model.SetTrainable(false, "stem");
        var stem = model.named_parameters().Where(p => ResNet.PartOf(p.name) == "stem").Select(p => p.parameter.detach().clone()).ToList();
        TrainSteps(model, optimizer, 2, seed: 7);
        var after = model.named_parameters().Where(p => ResNet.PartOf(p.name) == "stem").Select(p => p.parameter).ToList();
        Assert.All(stem.Zip(after), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
        Assert.Contains(model.named_parameters(), p => p.name.StartsWith("fc") && p.parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void StateSavedFromAPackedOptimizerLoadsIntoAnotherAndContinuesIdentically()
    {
        using var first = Model(channelsLast: true);
        var optimizer = Create("sgd", first);
        optimizer.Pack();
        TrainSteps(first, optimizer, 2);
        var saved = optimizer.StateEntries().Select(e => (e.Name, e.Tensor.clone())).ToList();

        using var second = Model(channelsLast: true);
        second.load_state_dict(first.state_dict());
        var resumed = Create("sgd", second);
        resumed.Pack();
        resumed.LoadState(saved, optimizer.Steps);
        TrainSteps(first, optimizer, 2, seed: 50);
        TrainSteps(second, resumed, 2, seed: 50);
        var expected = first.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in second.named_parameters())
            Assert.True(parameter.eq(expected[name]).all().item<bool>(), $"{name} differs after resuming");
        Assert.Throws<InvalidDataException>(() => resumed.LoadState([("nope.weight/momentum", zeros(1))], 0));
    }
}
