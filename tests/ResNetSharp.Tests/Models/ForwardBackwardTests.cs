using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class ForwardBackwardTests
{
    public static TheoryData<string> CatalogNames => new(ModelCatalog.Names);

    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void EveryParameterOfEveryCatalogModelReceivesAGradient(string name)
    {
        // Zero-init of the last norms would block gradients into the branches on the first step; the
        // point here is that every parameter is wired into the graph, so it is switched off.
        var spec = ModelCatalog.Get(name) with { NumClasses = 5, ZeroInitLastNorm = false };
        using var model = new ResNet(spec);
        using var scope = NewDisposeScope();
        manual_seed(1);
        int size = model.MinimumInputSize;
        var logits = model.call(randn(2, 3, size + 3, size));
        Assert.Equal([2L, 5L], logits.shape);
        Assert.False(logits.isnan().any().item<bool>());
        logits.pow(2).mean().backward();

        foreach (var (parameterName, parameter) in model.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name}: {parameterName} has no gradient");
            Assert.True(grad!.isfinite().all().item<bool>(), $"{name}: {parameterName} has a non-finite gradient");
            Assert.True(grad.abs().sum().item<float>() > 0, $"{name}: {parameterName} has an all-zero gradient");
        }
    }

    [Theory]
    [InlineData(ActivationKind.GELU)]
    [InlineData(ActivationKind.SiLU)]
    [InlineData(ActivationKind.LeakyReLU)]
    public void CustomSpecsBuildAndTrain(ActivationKind activation)
    {
        var spec = new ResNetSpec
        {
            Block = BlockKind.Basic, Depths = [1, 2, 1], Widths = [8, 16, 32], StemChannels = 8,
            Stem = StemKind.Deep, DeepStemWidth = 4, Shortcut = ShortcutKind.AvgPoolConv, SqueezeExcitationRatio = 4,
            Activation = activation, DropPathRate = 0.2, NumClasses = 3, InChannels = 1,
        };
        using var model = new ResNet(spec);
        using var scope = NewDisposeScope();
        var logits = model.call(randn(4, 1, 20, 20));
        Assert.Equal([4L, 3L], logits.shape);
        logits.sum().backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        Assert.Equal(32, model.NumFeatures);
        Assert.Equal([4, 8, 16], model.FeatureInfo.Select(f => f.Reduction));
    }

    [Fact]
    public void DifferentActivationsGiveDifferentOutputsFromTheSameWeights()
    {
        var spec = new ResNetSpec { Block = BlockKind.Basic, Depths = [1], Widths = [8], StemChannels = 8, Stem = StemKind.Cifar, NumClasses = 2 };
        using var relu = new ResNet(spec);
        using var gelu = new ResNet(spec with { Activation = ActivationKind.GELU });
        gelu.load_state_dict(relu.state_dict());
        relu.eval();
        gelu.eval();
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 8, 8);
        Assert.False(relu.call(x).allclose(gelu.call(x)));
    }

    [Fact]
    public void EvalModeIsDeterministicAndDropPathOnlyActsInTraining()
    {
        var spec = ModelCatalog.Get("resnet18_cifar") with { DropPathRate = 0.5 };
        using var model = new ResNet(spec);
        using var scope = NewDisposeScope();
        var x = randn(4, 3, 16, 16);
        model.eval();
        Assert.True(model.call(x).eq(model.call(x)).all().item<bool>());
        model.train();
        manual_seed(1);
        var first = model.call(x);
        manual_seed(2);
        var second = model.call(x);
        Assert.False(first.allclose(second));
    }

    [Fact]
    public void ZeroInitLastNormMakesEveryBlockStartAsIdentityPlusShortcut()
    {
        using var model = ModelCatalog.Create("seresnet50");
        foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal)))
        {
            bool lastNorm = name.EndsWith(".bn3.weight", StringComparison.Ordinal);
            Assert.Equal(lastNorm, parameter.abs().sum().item<float>() == 0);
        }
    }

    [Fact]
    public void ConvolutionsUseKaimingFanOutAndNormsStartAtOneAndZero()
    {
        using var model = ModelCatalog.Create("resnet50");
        var weights = model.state_dict();
        // Kaiming-normal, fan-out, ReLU gain: std = sqrt(2 / (out_channels * k * k)).
        double expectedStd = Math.Sqrt(2.0 / (256 * 1 * 1));
        double std = weights["layer3.0.conv1.weight"].std().item<float>();
        Assert.InRange(std, expectedStd * 0.95, expectedStd * 1.05);
        Assert.True(weights["layer1.0.bn1.weight"].eq(1).all().item<bool>());
        Assert.True(weights["layer1.0.bn1.bias"].eq(0).all().item<bool>());
        Assert.True(weights["layer1.0.bn3.weight"].eq(1).all().item<bool>());
    }
}
