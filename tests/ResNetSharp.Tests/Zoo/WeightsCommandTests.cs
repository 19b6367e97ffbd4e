using System.Text.Json;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;
using ResNetSharp.Zoo;

namespace ResNetSharp.Tests.Zoo;

/// <summary>resnet weights and --weights MODEL:TAG, against a loopback mirror and a site registry file made here.</summary>
public class WeightsCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    /// <summary>A cache, a mirror serving the files, and a registry naming them, all through the environment the CLI reads.</summary>
    private sealed class Site : IDisposable
    {
        private readonly List<EnvironmentVariable> _variables = [];

        public TemporaryFolder Folder { get; } = new();
        public LoopbackFileServer Mirror { get; } = new();
        public WeightsCache Cache { get; }
        public PretrainedWeights Tiny { get; }
        public byte[] TinyContent { get; }

        public Site(params PretrainedWeights[] more)
        {
            Cache = new WeightsCache(Folder.File("home"));
            TinyContent = TestWeights.TinyFile(11, Folder.Path);
            Tiny = TestWeights.Entry("tiny", "TEST_V1", "tiny-test.safetensors", TinyContent, isDefault: true);
            Mirror.Put(Tiny.File, TinyContent);
            string registry = TestWeights.WriteRegistry(Folder.File("site.json"), [Tiny, .. more]);
            _variables.Add(new EnvironmentVariable(WeightsCache.HomeVariable, Cache.Root));
            _variables.Add(new EnvironmentVariable(WeightsDownloader.MirrorVariable, Mirror.BaseUrl.ToString()));
            _variables.Add(new EnvironmentVariable(WeightsRegistry.ExtraRegistriesVariable, registry));
        }

        public string[] Cached() => Directory.Exists(Cache.WeightsFolder) ? Directory.GetFiles(Cache.WeightsFolder) : [];

        public void Dispose()
        {
            foreach (var variable in _variables)
                variable.Dispose();
            Mirror.Dispose();
            Folder.Dispose();
        }
    }

    [Fact]
    public void ListJsonHasOneObjectPerWeightSet()
    {
        using var site = new Site();
        var (code, output, error) = Run("weights", "list", "--json");
        Assert.True(code == 0, error);
        var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(WeightsRegistry.Builtin.Entries.Count + 1, items.Count);
        var v2 = items.Single(i => i.GetProperty("name").GetString() == "resnet50:IMAGENET1K_V2");
        Assert.Equal("resnet50", v2.GetProperty("model").GetString());
        Assert.Equal("resnet50-11ad3fa6.pth", v2.GetProperty("file").GetString());
        Assert.Equal("11ad3fa62ca79e40addfd354a8ec4b7c75143b3038b8d2a807fbc68deab379ca", v2.GetProperty("sha256").GetString());
        Assert.True(v2.GetProperty("default").GetBoolean());
        Assert.Equal(232, v2.GetProperty("preprocessing").GetProperty("resizeTo").GetInt32());
        Assert.Equal(80.858, v2.GetProperty("top1").GetDouble());
        Assert.False(v2.GetProperty("cached").GetBoolean());
        var tiny = items.Single(i => i.GetProperty("name").GetString() == "tiny:TEST_V1");
        Assert.Equal(site.Tiny.Sha256, tiny.GetProperty("sha256").GetString());

        var (tableCode, table, _) = Run("weights", "list", "--model", "resnet152");
        Assert.Equal(0, tableCode);
        Assert.Contains("resnet152:IMAGENET1K_V2", table);
        Assert.Contains("f82ba261 (prefix only)", table);
        Assert.DoesNotContain("resnet50:", table);
    }

    [Fact]
    public void PullVerifyAndUseByName()
    {
        using var site = new Site();
        var (code, output, error) = Run("weights", "pull", "tiny:TEST_V1");
        Assert.True(code == 0, error + output);
        string stored = site.Cache.PathOf(site.Tiny);
        Assert.Contains($"tiny:TEST_V1 -> {stored}", output);
        Assert.Equal([stored], site.Cached());

        var (vCode, vOutput, _) = Run("weights", "verify");
        Assert.Equal(0, vCode);
        Assert.Contains("ok  tiny:TEST_V1", vOutput);

        // Any --weights takes the name; the card gives model, classes and preprocessing.
        string image = TestImages.Write(site.Folder.File("x.png"), 24, 20, seed: 1);
        var (pCode, pOutput, pError) = Run("predict", "--weights", "tiny:DEFAULT", "--device", "cpu", "--json", image);
        Assert.True(pCode == 0, pError);
        var top = JsonDocument.Parse(pOutput).RootElement.GetProperty("top")[0];
        Assert.Contains(top[0].GetProperty("name").GetString(), TestWeights.Classes);

        using (var file = new FileStream(stored, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length - 1;
            file.WriteByte(0x7f);
        }
        var (badCode, badOutput, _) = Run("weights", "verify", "tiny:TEST_V1");
        Assert.Equal(1, badCode);
        Assert.Contains("FAILED  tiny:TEST_V1", badOutput);
    }

    [Fact]
    public void AMirrorServingOtherBytesIsRefusedAndTheCacheStaysEmpty()
    {
        using var site = new Site();
        site.Mirror.Put(site.Tiny.File, TestWeights.TinyFile(12, site.Folder.Path));
        var (code, _, error) = Run("weights", "pull", "tiny:TEST_V1");
        Assert.Equal(2, code);
        Assert.Contains("SHA-256", error);
        Assert.Contains("nothing was stored", error);
        Assert.Empty(site.Cached());
        Assert.False(Directory.Exists(site.Cache.DownloadsFolder) && Directory.EnumerateFileSystemEntries(site.Cache.DownloadsFolder).Any());
    }

    [Fact]
    public void ImportChecksTheHashAgainstTheRegistry()
    {
        using var site = new Site();
        string file = site.Folder.File("by-hand.safetensors");
        File.WriteAllBytes(file, site.TinyContent);
        var (code, output, error) = Run("weights", "import", file);
        Assert.True(code == 0, error);
        Assert.Contains("is tiny:TEST_V1", output);
        Assert.Equal(WeightsCheckStatus.Ok, site.Cache.Verify(site.Tiny).Status);

        string other = site.Folder.File("other.safetensors");
        File.WriteAllBytes(other, TestWeights.TinyFile(13, site.Folder.Path));
        var (otherCode, _, otherError) = Run("weights", "import", other);
        Assert.Equal(2, otherCode);
        Assert.Contains("matches no registered weights", otherError);
        var (namedCode, _, namedError) = Run("weights", "import", other, "--name", "tiny:TEST_V1");
        Assert.Equal(2, namedCode);
        Assert.Contains("is not that of tiny:TEST_V1", namedError);
    }

    [Fact]
    public void AnUnknownNameIsAUsageErrorWithSuggestions()
    {
        using var site = new Site();
        var (code, _, error) = Run("weights", "pull", "tiny:TEST_V2");
        Assert.Equal(2, code);
        Assert.Contains("did you mean", error);
        Assert.Contains("tiny:TEST_V1", error);
        var (pCode, _, pError) = Run("predict", "--weights", "nothing-here.safetensors", "x.png");
        Assert.Equal(2, pCode);
        Assert.Contains("--weights file not found", pError);
    }

    [Fact]
    public void TransferLearningFromNamedWeightsInThreeCommands()
    {
        using var site = new Site();
        string spec = site.Folder.File("tiny.json");
        File.WriteAllText(spec, ResNetSharp.Models.ResNetSpecJson.ToJson(TestWeights.TinySpec));
        string data = site.Folder.File("pets");
        int seed = 0;
        foreach (var split in new[] { "train", "val" })
            foreach (var animal in new[] { "cat", "dog" })
                for (int i = 0; i < (split == "train" ? 6 : 2); i++)
                    TestImages.Write(Path.Combine(data, split, animal, $"{i}.png"), 20 + i, 18, seed++);

        var (pullCode, _, pullError) = Run("weights", "pull", "tiny:TEST_V1");
        Assert.True(pullCode == 0, pullError);
        string run = site.Folder.File("run");
        var (tuneCode, tuneOutput, tuneError) = Run("finetune", "--weights", "tiny:TEST_V1", "--model", spec, "--dataset", data,
            "--image-size", "16", "--epochs", "1", "--batch-size", "6", "--device", "cpu", "-o", run, "--quiet");
        Assert.True(tuneCode == 0, tuneError + tuneOutput);
        Assert.Contains("classifier replaced", tuneOutput);
        var (predictCode, predictOutput, predictError) = Run("predict", "--weights", run, "--device", "cpu",
            Path.Combine(data, "val", "dog", "0.png"));
        Assert.True(predictCode == 0, predictError);
        Assert.Matches("(cat|dog) [0-9.]+ ?%", predictOutput);
    }
}
