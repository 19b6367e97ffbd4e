using ResNetSharp.Analysis;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class FeatureApiTests
{
    [Theory]
    [InlineData("resnet18", 45, 37)]
    [InlineData("resnet50d", 64, 50)]
    [InlineData("resnet18_cifar", 28, 28)]
    [InlineData("resnext50_32x4d", 33, 65)]
    public void StageOutputsMatchFeatureInfoAndThePlannedShapes(string name, int height, int width)
    {
        using var model = ModelCatalog.Create(name);
        model.eval();
        using var scope = NewDisposeScope();
        var stages = model.ForwardStages(randn(1, 3, height, width));
        var summary = ModelSummary.Create(name, model, height, width);
        var plannedStages = summary.Stages.Where(r => r.Kind == "Stage").ToList();

        Assert.Equal(model.FeatureInfo.Count, stages.Count);
        for (int i = 0; i < stages.Count; i++)
        {
            var info = model.FeatureInfo[i];
            Assert.Equal(info.Channels, stages[i].shape[1]);
            Assert.Equal((height + info.Reduction - 1) / info.Reduction, stages[i].shape[2]);
            Assert.Equal((width + info.Reduction - 1) / info.Reduction, stages[i].shape[3]);
            Assert.Equal(plannedStages[i].OutputShape.Select(d => (long)d), stages[i].shape.Skip(1));
        }
    }

    [Fact]
    public void FeaturesHeadAndEmbeddingComposeToTheForwardPass()
    {
        using var model = ModelCatalog.Create("resnet18_cifar");
        model.eval();
        using var scope = NewDisposeScope();
        var x = randn(3, 3, 32, 32);
        var features = model.ForwardFeatures(x);
        Assert.Equal([3L, 512L, 4L, 4L], features.shape);
        Assert.True(model.ForwardHead(features).allclose(model.call(x)));
        var embedding = model.Embed(x);
        Assert.Equal([3L, 512L], embedding.shape);
        Assert.True(embedding.allclose(features.mean([2, 3])));
        Assert.True(model.ForwardHead(features, preLogits: true).allclose(embedding));
    }

    [Fact]
    public void ResetClassifierChangesTheOutputsAndKeys()
    {
        using var model = ModelCatalog.Create("resnet18");
        using var scope = NewDisposeScope();
        model.ResetClassifier(7);
        Assert.Equal(7, model.NumClasses);
        Assert.Equal([7L, 512L], model.state_dict()["fc.weight"].shape);
        Assert.Equal([2L, 7L], model.call(randn(2, 3, 32, 32)).shape);

        model.ResetClassifier(0);
        Assert.DoesNotContain("fc.weight", model.state_dict().Keys);
        Assert.Equal([2L, 512L], model.call(randn(2, 3, 32, 32)).shape);
        Assert.DoesNotContain("fc", model.PartNames);
    }

    [Fact]
    public void FreezingPartsRemovesExactlyTheirParametersFromTraining()
    {
        using var model = ModelCatalog.Create("resnet18");
        long total = model.CountParameters();
        long stem = model.named_parameters().Where(p => p.name.StartsWith("conv1.") || p.name.StartsWith("bn1.")).Sum(p => p.parameter.numel());
        long layer1 = model.named_parameters().Where(p => p.name.StartsWith("layer1.")).Sum(p => p.parameter.numel());

        model.SetTrainable(false, "stem", "layer1");
        Assert.Equal(total - stem - layer1, model.CountParameters(trainableOnly: true));
        Assert.Equal(total, model.CountParameters());

        model.SetTrainable(true, "layer1");
        Assert.Equal(total - stem, model.CountParameters(trainableOnly: true));

        var error = Assert.Throws<ArgumentException>(() => model.SetTrainable(false, "layer9"));
        Assert.Contains("layer9", error.Message);
        Assert.Contains("layer4", error.Message);
    }
}
