using ResNetSharp.Models;

namespace ResNetSharp.Tests.Models;

public class SpecJsonTests
{
    [Fact]
    public void EveryCatalogSpecSurvivesAJsonRoundTrip()
    {
        foreach (var name in ModelCatalog.Names)
        {
            var spec = ModelCatalog.Get(name);
            Assert.Equal(spec, ResNetSpecJson.Parse(ResNetSpecJson.ToJson(spec)));
        }
    }

    [Fact]
    public void AFileCanStartFromACatalogEntry()
    {
        var spec = ResNetSpecJson.Parse("""{"base": "resnext50_32x4d", "numClasses": 37, "activation": "siLU"}""");
        Assert.Equal(ModelCatalog.Get("resnext50_32x4d") with { NumClasses = 37, Activation = ActivationKind.SiLU }, spec);
    }

    [Fact]
    public void AFullSpecParses()
    {
        var spec = ResNetSpecJson.Parse("""
            {"block": "bottleneck", "depths": [2, 2], "widths": [16, 32], "groups": 4, "baseWidth": 8,
             "stem": "cifar", "squeezeExcitationRatio": 8, "numClasses": 3}
            """);
        using var model = new ResNet(spec);
        Assert.Equal(128, model.NumFeatures);
    }

    [Theory]
    [InlineData("""{"base": "resnet18", "numClases": 3}""", "numClases")]
    [InlineData("""{"block": "basic", "depths": [2, 2], "widths": [64]}""", "Widths")]
    [InlineData("""{"block": "basic", "depths": [2, 0, 2, 2]}""", "Depths")]
    [InlineData("""{"block": "triple", "depths": [2]}""", "block")]
    [InlineData("""{"base": "resnet51"}""", "resnet50")]
    [InlineData("""{"block": "basic", "depths": [1], "widths": [8], "groups": 2}""", "Groups")]
    [InlineData("""{"base": "resnet18", "dropPathRate": 1.5}""", "DropPathRate")]
    [InlineData("""[1, 2]""", "JSON object")]
    public void BadSpecsNameTheSourceAndTheField(string json, string named)
    {
        var error = Assert.Throws<FormatException>(() => ResNetSpecJson.Parse(json, "my.json"));
        Assert.StartsWith("my.json", error.Message);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void UnknownCatalogNamesSuggestCloseMatches()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => ModelCatalog.Get("resnet_50"));
        Assert.Contains("resnet50", error.Message);
    }
}
