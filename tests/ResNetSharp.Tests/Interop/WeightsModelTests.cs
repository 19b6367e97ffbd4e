using ResNetSharp.Interop;
using ResNetSharp.Models;

namespace ResNetSharp.Tests.Interop;

public class WeightsModelTests
{
    [Fact]
    public void TheSpecInTheMetadataComesBackWhateverTheNameSays()
    {
        var spec = ModelCatalog.Get("resnet18_cifar") with { NumClasses = 7, InChannels = 1, Widths = [8, 16, 32, 64] };
        var metadata = WeightsModel.Describe(new Dictionary<string, string> { ["format"] = "pt" }, "gone/tiny.json", spec);

        var (name, read) = WeightsModel.FromMetadata(metadata, "w.safetensors")!.Value;

        Assert.Equal("gone/tiny.json", name);
        Assert.Equal(ResNetSpecJson.ToJson(spec), ResNetSpecJson.ToJson(read));
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void ACatalogNameAloneNamesTheCatalogModel()
    {
        var (name, spec) = WeightsModel.FromMetadata(new Dictionary<string, string> { ["model"] = "resnet50" }, "w")!.Value;
        Assert.Equal("resnet50", name);
        Assert.Equal(ResNetSpecJson.ToJson(ModelCatalog.Get("resnet50")), ResNetSpecJson.ToJson(spec));
    }

    [Theory]
    [InlineData("tiny.json")]
    [InlineData("")]
    public void ANameThatIsNoCatalogModelNamesNothing(string model)
    {
        var metadata = model.Length > 0 ? new Dictionary<string, string> { ["model"] = model } : [];
        Assert.Null(WeightsModel.FromMetadata(metadata, "w"));
    }

    [Fact]
    public void LoadBuildsTheNamedModelWithItsWeightsAndRefusesAFileThatNamesNone()
    {
        using var folder = new TemporaryFolder();
        var spec = ResNetSpecJson.Parse("""{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 4}""");
        using var source = new ResNet(spec);
        string named = folder.File("named.safetensors"), anonymous = folder.File("anonymous.safetensors");
        SafetensorsFile.Save(named, StateDictOrder.Entries(source), WeightsModel.Describe([], "tiny", spec));
        SafetensorsFile.Save(anonymous, StateDictOrder.Entries(source));

        using var loaded = WeightsModel.Load(named);
        var expected = StateDictOrder.Entries(source).ToList();
        var actual = StateDictOrder.Entries(loaded).ToList();
        Assert.Equal(expected.Select(e => e.Name), actual.Select(a => a.Name));
        Assert.All(expected.Zip(actual), pair => Assert.True(pair.First.Tensor.eq(pair.Second.Tensor).all().item<bool>(), pair.First.Name));

        var error = Assert.Throws<FormatException>(() => WeightsModel.Load(anonymous));
        Assert.Contains("anonymous.safetensors does not say which model it holds", error.Message);
    }

    [Fact]
    public void AMalformedSpecIsRefusedWithTheFileAndTheKey()
    {
        var metadata = new Dictionary<string, string> { ["spec"] = """{"block": "triangle", "depths": [1]}""" };
        var error = Assert.Throws<FormatException>(() => WeightsModel.FromMetadata(metadata, "runs/x/best.safetensors"));
        Assert.Contains("runs/x/best.safetensors", error.Message);
        Assert.Contains("'spec'", error.Message);
    }
}
