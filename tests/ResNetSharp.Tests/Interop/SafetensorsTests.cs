using System.Text;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class SafetensorsTests
{
    private static byte[] FileWith(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BitConverter.GetBytes((ulong)json.Length).CopyTo(bytes, 0);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void RoundTripKeepsNamesOrderDtypesValuesAndMetadata()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>
        {
            ("b.weight", randn(3, 4)),
            ("a.count", tensor(5L)),
            ("half", randn(2, 2).to(ScalarType.BFloat16)),
            ("mask", tensor(new[] { true, false })),
            ("empty", zeros(0, 3)),
        };
        string path = folder.File("x.safetensors");
        SafetensorsFile.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(0, (new FileInfo(path).Length - 8 - SafetensorsFile.ReadHeader(path).Entries.Sum(e => e.End - e.Begin)) % 8);

        var (loaded, metadata) = SafetensorsFile.Load(path);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal(tensors.Select(t => t.Item1), loaded.Select(t => t.Name));
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.Equal(tensors[i].Item2.dtype, loaded[i].Tensor.dtype);
            Assert.Equal(tensors[i].Item2.shape, loaded[i].Tensor.shape);
            Assert.True(tensors[i].Item2.eq(loaded[i].Tensor).all().item<bool>());
        }
    }

    [Fact]
    public void SavingASmallerFileOverALargerOneLeavesNoStaleBytes()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("w.safetensors");
        SafetensorsFile.Save(path, [("w", randn(1000))]);
        SafetensorsFile.Save(path, [("w", randn(10))]);
        Assert.Equal(10, SafetensorsFile.Load(path).Tensors.Single().Tensor.numel());
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "appears twice")]
    [InlineData("""{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "non-negative")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "gap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlapping")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "trailing")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "file holds 4")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", 8, "unknown field 'extra'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "overflows")]
    [InlineData("""{"__metadata__":{"k":1}}""", 0, "not a string")]
    [InlineData("""[1,2]""", 0, "not an object")]
    [InlineData("""{"a":""", 0, "not valid JSON")]
    [InlineData("""{"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}""", 2, "not supported")]
    public void HostileHeadersAreRefusedWithTheFileAndTheProblem(string header, int dataBytes, string problem)
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("bad.safetensors");
        File.WriteAllBytes(path, FileWith(header, dataBytes));
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void HeaderLengthsBeyondTheFileOrTheLimitAreRefusedBeforeReading()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("len.safetensors");
        var bytes = FileWith("{}", 0);
        BitConverter.GetBytes(1_000_000UL).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("past the end", Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Load(path)).Message);
        BitConverter.GetBytes(ulong.MaxValue).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("exceeds the limit", Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Load(path)).Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("fewer than", Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Load(path)).Message);
    }

    [Fact]
    public void InvalidUtf8IsRefused()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("utf.safetensors");
        var bytes = FileWith("{\"\u00e9\":1}", 0);
        bytes[10] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("UTF-8", Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Load(path)).Message);
    }
}

public class WeightLoaderTests
{
    [Fact]
    public void AStrictLoadThatDoesNotMatchLeavesTheModelUnchanged()
    {
        using var folder = new TemporaryFolder();
        using var source = ModelCatalog.Create("resnet18", numClasses: 10);
        using var target = ModelCatalog.Create("resnet18");
        string path = folder.File("r18-10.safetensors");
        SafetensorsFile.Save(path, StateDictOrder.Entries(source));
        var before = target.state_dict()["layer1.0.conv1.weight"].clone();

        var error = Assert.Throws<WeightLoadException>(() => WeightLoader.LoadFile(target, path));
        Assert.Contains(path, error.Message);
        Assert.Contains("fc.weight: model [1000, 512], file [10, 512]", error.Message);
        Assert.True(before.eq(target.state_dict()["layer1.0.conv1.weight"]).all().item<bool>());
    }

    [Fact]
    public void ANonStrictLoadCopiesTheMatchesAndReportsTheRest()
    {
        using var folder = new TemporaryFolder();
        using var source = ModelCatalog.Create("resnet18", numClasses: 10);
        using var target = ModelCatalog.Create("resnet18");
        string path = folder.File("r18.safetensors");
        var entries = StateDictOrder.Entries(source).Where(e => e.Name != "layer4.1.bn2.bias")
            .Select(e => ("module." + e.Name, e.Tensor)).Append(("extra.thing", ones(1))).ToList();
        SafetensorsFile.Save(path, entries);

        var report = WeightLoader.LoadFile(target, path, strict: false);
        Assert.Equal(["layer4.1.bn2.bias"], report.Missing);
        Assert.Equal(["extra.thing"], report.Unexpected);
        Assert.Equal(["fc.weight", "fc.bias"], report.ShapeMismatches.Select(m => m.Name));
        Assert.True(source.state_dict()["layer1.0.conv1.weight"].eq(target.state_dict()["layer1.0.conv1.weight"]).all().item<bool>());
    }
}
