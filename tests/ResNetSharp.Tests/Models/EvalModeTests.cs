using ResNetSharp.Data;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

/// <summary>The "forgot eval()" guard: loaders return eval-mode models; inference helpers switch and restore.</summary>
public class EvalModeTests
{
    private static readonly ResNetSpec Tiny = ResNetSpecJson.Parse(
        """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3, "inChannels": 1}""");

    private static IReadOnlyList<bool> Modes(ResNet model) => model.modules().Select(m => m.training).ToList();

    [Fact]
    public void EvalModeSwitchesEveryModuleAndRestoresEachOnesOwnMode()
    {
        using var model = new ResNet(Tiny);
        model.train();
        model.Blocks.First().eval(); // a caller's frozen BatchNorms
        var before = Modes(model);
        Assert.Contains(true, before);
        Assert.Contains(false, before);

        using (EvalMode.Enter(model))
            Assert.All(Modes(model), training => Assert.False(training));

        Assert.Equal(before, Modes(model));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AUniformModeComesBackAsItWas(bool training)
    {
        using var model = new ResNet(Tiny);
        model.train(training);
        var scope = EvalMode.Enter(model);
        Assert.False(model.training);
        scope.Dispose();
        scope.Dispose();
        Assert.All(Modes(model), mode => Assert.Equal(training, mode));
    }

    [Fact]
    public void WeightsModelLoadReturnsAModelInEvalMode()
    {
        using var folder = new TemporaryFolder();
        using var source = new ResNet(Tiny);
        string path = folder.File("tiny.safetensors");
        SafetensorsFile.Save(path, StateDictOrder.Entries(source), WeightsModel.Describe([], "tiny", Tiny));

        using var loaded = WeightsModel.Load(path);

        Assert.All(Modes(loaded), training => Assert.False(training));
    }

    [Fact]
    public void TheEvaluatorKeepsACallersMixedModes()
    {
        using var model = new ResNet(Tiny);
        model.train();
        model.Blocks.Last().eval();
        var before = Modes(model);
        using var images = randint(0, 256, [6, 1, 12, 12], ScalarType.Byte);
        using var labels = randint(0, 3, [6], ScalarType.Int64);
        using var data = new ImageDataset(images.clone(), labels.clone(), ["a", "b", "c"], [0.5], [0.25], "random images");

        Evaluator.Evaluate(model, data, 4, InputAdapter.For(data, 1, CPU));

        Assert.Equal(before, Modes(model));
    }
}
