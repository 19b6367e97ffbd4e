using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResNetSharp.Models;
using ResNetSharp.Zoo;

namespace ResNetSharp.Tests.Zoo;

public class WeightsRegistryTests
{
    private static readonly string[] ModelsWithWeights =
    [
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "wide_resnet101_2",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
    ];

    [Fact]
    public void TheBuiltinRegistryHoldsTorchvisionsWeightsForEveryCatalogModelThatHasThem()
    {
        var registry = WeightsRegistry.Builtin;

        Assert.Equal(ModelsWithWeights, registry.Entries.Select(e => e.Model).Distinct());
        Assert.All(registry.Entries, e => Assert.True(ModelCatalog.Contains(e.Model), e.Model));
        Assert.Equal(17, registry.Entries.Count);
        Assert.All(ModelsWithWeights, model => Assert.Contains(registry.Entries, e => e.Model == model && e.Tag == "IMAGENET1K_V1"));
        Assert.All(registry.Entries, e =>
        {
            // torchvision names each file after its SHA-256's first 8 hex digits.
            string prefix = Path.GetFileNameWithoutExtension(e.File).Split('-')[^1];
            Assert.Equal(8, prefix.Length);
            Assert.StartsWith(prefix, e.Sha256);
            Assert.EndsWith("/" + e.File, e.Url.AbsoluteUri);
            Assert.Equal(1000, e.ClassNames.Count);
            Assert.Equal(224, e.Preprocessing.CropTo);
            Assert.Contains(e.Preprocessing.ResizeTo, new[] { 232, 256 });
            Assert.InRange(e.Metrics!.Top1, 69, 84);
        });
        Assert.Equal(10, registry.Entries.Count(e => e.HasFullSha256));
        Assert.Equal("tench", registry.Entries[0].ClassNames[0]);
        Assert.Equal("toilet tissue", registry.Entries[0].ClassNames[999]);
    }

    [Fact]
    public async Task TheRegistryIsWhatTheGeneratorReadsFromTorchvision()
    {
        string root = RepositoryRoot();
        var start = new ProcessStartInfo(ReferencePython.Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "tools", "weights_registry.py"));
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string generated = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);

        string committed = File.ReadAllText(Path.Combine(root, "src", "ResNetSharp", "Zoo", "torchvision-weights.json"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generated), JsonNode.Parse(committed)),
            "src/ResNetSharp/Zoo/torchvision-weights.json differs from what tools/weights_registry.py prints; regenerate it");
    }

    [Theory]
    [InlineData("resnet50:IMAGENET1K_V2", "resnet50:IMAGENET1K_V2")]
    [InlineData("resnet50:DEFAULT", "resnet50:IMAGENET1K_V2")]
    [InlineData("resnet50", "resnet50:IMAGENET1K_V2")]
    [InlineData("resnet50:imagenet1k_v1", "resnet50:IMAGENET1K_V1")]
    [InlineData("resnet18:DEFAULT", "resnet18:IMAGENET1K_V1")]
    [InlineData("resnext101_64x4d", "resnext101_64x4d:IMAGENET1K_V1")]
    public void NamesPickWeightSets(string name, string expected) =>
        Assert.Equal(expected, WeightsRegistry.Builtin.Find(name).Name);

    [Fact]
    public void AnUnknownNameSaysWhatIsClose()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => WeightsRegistry.Builtin.Find("resnet50:IMAGENET1K_V3"));
        Assert.Contains("No weights named 'resnet50:IMAGENET1K_V3'", error.Message);
        Assert.Contains("resnet50:IMAGENET1K_V2", error.Message);
        Assert.Null(WeightsRegistry.Builtin.TryFind("resnet18_cifar:DEFAULT"));
        Assert.False(WeightsRegistry.Builtin.IsWeightsName("runs/a/best.safetensors"));
        Assert.True(WeightsRegistry.Builtin.IsWeightsName("resnet50"));
        Assert.True(WeightsRegistry.Builtin.IsWeightsName("mine:V1"));
    }

    [Fact]
    public void ASiteRegistryFileAddsEntriesThroughTheEnvironment()
    {
        using var folder = new TemporaryFolder();
        var entry = TestWeights.Entry("resnet18", "SITE_V1", "resnet18-site.pth", [1, 2, 3]);
        string file = TestWeights.WriteRegistry(folder.File("site.json"), entry);
        using var _ = new EnvironmentVariable(WeightsRegistry.ExtraRegistriesVariable, file);

        var registry = WeightsRegistry.FromEnvironment();

        Assert.Equal(WeightsRegistry.Builtin.Entries.Count + 1, registry.Entries.Count);
        var found = registry.Find("resnet18:SITE_V1");
        Assert.Equal(TestWeights.Classes, found.ClassNames);
        Assert.Equal(entry.Sha256, found.Sha256);
        Assert.Equal("resnet18:IMAGENET1K_V1", registry.Find("resnet18").Name);
        Assert.Same(found, registry.FindByDigest(TestWeights.Digest([1, 2, 3])));
    }

    [Fact]
    public void BadRegistryFilesAreRefusedNamingTheFileAndTheEntry()
    {
        using var folder = new TemporaryFolder();
        string bad = folder.File("bad.json");
        File.WriteAllText(bad, """{"weights": [{"model": "m", "tag": "T", "file": "../x.pth", "url": "http://h/x.pth", "sha256": "abcdef01", "classNames": ["a"], "preprocessing": {"resizeTo": 1, "cropTo": 1, "mean": [0], "std": [1]}}]}""");
        var error = Assert.Throws<FormatException>(() => WeightsRegistry.ReadFile(bad));
        Assert.Contains("bad.json", error.Message);
        Assert.Contains("m:T", error.Message);
        Assert.Contains("plain file name", error.Message);

        File.WriteAllText(bad, """{"weights": [{"model": "m", "tag": "T", "unknownField": 1}]}""");
        Assert.Contains("bad.json", Assert.Throws<FormatException>(() => WeightsRegistry.ReadFile(bad)).Message);

        var twice = TestWeights.Entry("resnet18", "IMAGENET1K_V1", "resnet18-f37072fd.pth", [1]);
        using var _ = new EnvironmentVariable(WeightsRegistry.ExtraRegistriesVariable, TestWeights.WriteRegistry(folder.File("dup.json"), twice));
        Assert.Contains("defined twice", Assert.Throws<ArgumentException>(WeightsRegistry.FromEnvironment).Message);
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "ResNetSharp.slnx")))
                return folder.FullName;
        throw new DirectoryNotFoundException($"no ResNetSharp.slnx above {AppContext.BaseDirectory}");
    }
}
