using ResNetSharp.Analysis;
using ResNetSharp.Models;

namespace ResNetSharp.Tests.Analysis;

public class ComplexityTests
{
    // torchvision's published GFLOPS (multiply-accumulates) at 224x224.
    [Theory]
    [InlineData("resnet18", 1.814)]
    [InlineData("resnet34", 3.664)]
    [InlineData("resnet50", 4.089)]
    [InlineData("resnet101", 7.801)]
    [InlineData("resnext50_32x4d", 4.230)]
    [InlineData("wide_resnet50_2", 11.398)]
    public void MacsMatchTorchvisionsPublishedFigures(string name, double gigaMacs)
    {
        using var model = ModelCatalog.Create(name);
        var summary = ModelSummary.Create(name, model, 224, 224);
        Assert.Equal(gigaMacs, summary.Macs / 1e9, 3);
        Assert.Equal(summary.Macs, summary.Stages.Sum(s => s.Macs));
        Assert.Equal(summary.Parameters, summary.Stages.Sum(s => s.Parameters));
    }

    // The MACs usually quoted for the CIFAR ResNets at 32x32 (e.g. 40.55M for ResNet-20, 125.49M for ResNet-56,
    // 252.89M for ResNet-110); zero-padding shortcuts add none, so the plain twins cost the same.
    [Theory]
    [InlineData("resnet20", 40.55)]
    [InlineData("resnet32", 68.86)]
    [InlineData("resnet44", 97.17)]
    [InlineData("resnet56", 125.49)]
    [InlineData("resnet110", 252.89)]
    [InlineData("plain56", 125.49)]
    public void CifarPaperNetworksHaveTheirPublishedMacs(string name, double megaMacs)
    {
        using var model = ModelCatalog.Create(name);
        var summary = ModelSummary.Create(name, model, 32, 32);
        Assert.Equal(megaMacs, summary.Macs / 1e6, 2);
        Assert.Equal(summary.Parameters, summary.Stages.Sum(s => s.Parameters));
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "fc"], summary.Stages.Select(s => s.Name));
        Assert.Equal([64, 8, 8], summary.Stages[^2].OutputShape);
    }

    [Fact]
    public void PreActivationSummariesHaveTheFinalNormAndPreActivationBlocks()
    {
        using var model = ModelCatalog.Create("preact_resnet50");
        var summary = ModelSummary.Create("preact_resnet50", model, 224, 224);
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "layer4", "norm", "fc"], summary.Stages.Select(s => s.Name));
        Assert.Equal(2 * 2048, summary.Stages[^2].Parameters);
        Assert.Equal("PreActBottleneckBlock", summary.Stages[1].Blocks[0].Kind);
        Assert.Equal(summary.Parameters, summary.Stages.Sum(s => s.Parameters));
        // The same convolutions as resnet50 (4.089 GMACs) less nothing: norms cost no MACs.
        Assert.Equal(4.089, summary.Macs / 1e9, 3);
    }

    [Fact]
    public void StageRowsAddUpTheirBlocks()
    {
        using var model = ModelCatalog.Create("seresnet50");
        var summary = ModelSummary.Create("seresnet50", model, 160, 128);
        foreach (var stage in summary.Stages.Where(s => s.Kind == "Stage"))
        {
            Assert.Equal(stage.Macs, stage.Blocks.Sum(b => b.Macs));
            Assert.Equal(stage.Parameters, stage.Blocks.Sum(b => b.Parameters));
        }
        Assert.Equal([2048, 5, 4], summary.Stages[^2].OutputShape);
    }
}
