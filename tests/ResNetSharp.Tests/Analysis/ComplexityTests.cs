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
