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

    [Fact]
    public void BlockOrderAndShortcutKindsAreChosenPerSpec()
    {
        Assert.Equal(ModelCatalog.Get("plain56"), ResNetSpecJson.Parse("""{"base": "resnet56", "shortcut": "none"}"""));
        Assert.Equal(ModelCatalog.Get("preact_resnet18"), ResNetSpecJson.Parse("""{"base": "resnet18", "blockOrder": "preActivation"}"""));

        var spec = ResNetSpecJson.Parse("""
            {"block": "basic", "depths": [1, 1], "widths": [8, 16], "stem": "cifar", "stemChannels": 8,
             "blockOrder": "preActivation", "shortcut": "zeroPad", "numClasses": 3}
            """);
        using var model = new ResNet(spec);
        var keys = StateDictOrder.Entries(model).Select(e => e.Name).ToList();
        Assert.Equal(["conv1.weight", "layer1.0.bn1.weight"], keys.Take(2));
        Assert.DoesNotContain(keys, k => k.Contains("downsample"));
        Assert.Equal(["norm.weight", "norm.bias", "norm.running_mean", "norm.running_var", "norm.num_batches_tracked", "fc.weight", "fc.bias"], keys.TakeLast(7));
        Assert.Equal(["stem", "layer1", "layer2", "norm", "fc"], model.PartNames);
        Assert.Contains("\"blockOrder\": \"preActivation\"", ResNetSpecJson.ToJson(spec));
        Assert.Contains("\"shortcut\": \"zeroPad\"", ResNetSpecJson.ToJson(spec));
    }

    [Theory]
    [InlineData("""{"base": "resnet20", "blockOrder": "preActivated"}""", "blockOrder")]
    [InlineData("""{"block": "basic", "depths": [1, 1], "widths": [16, 8], "stemChannels": 16, "shortcut": "zeroPad"}""", "zeroPad, but block layer2.0 goes from 16 to 8 channels")]
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
