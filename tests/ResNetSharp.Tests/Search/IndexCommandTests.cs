using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Interop;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;
using ResNetSharp.Tests.Zoo;

namespace ResNetSharp.Tests.Search;

/// <summary>resnet index build/add and resnet search, with a tiny model and images made here.</summary>
public class IndexCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    private sealed class Fixture : IDisposable
    {
        public TemporaryFolder Folder { get; } = new();
        public string Weights => Folder.File("tiny.safetensors");
        public string Photos => Folder.File("photos");
        public string Index => Folder.File("index");

        public Fixture()
        {
            File.WriteAllBytes(Weights, TestWeights.TinyFile(31, Folder.Path));
            for (int i = 0; i < 12; i++)
                TestImages.Write(Path.Combine(Photos, i % 2 == 0 ? "even" : "odd", $"{i}.png"), 20 + i, 18 + i % 3, seed: 100 + i);
        }

        public (int Code, string Output, string Error) Build(params string[] extra) =>
            Run(["index", "build", Photos, "-o", Index, "--weights", Weights, "--image-size", "16", "--device", "cpu", .. extra]);

        public Dictionary<string, byte[]> IndexFiles() =>
            Directory.GetFiles(Index).Where(f => !f.EndsWith("index.lock", StringComparison.Ordinal)).ToDictionary(f => f, File.ReadAllBytes);

        public void Dispose() => Folder.Dispose();
    }

    private static List<(string Query, List<(string Path, double Score)> Results)> Parse(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Select(q => (q.GetProperty("query").GetString()!,
            q.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("path").GetString()!, r.GetProperty("score").GetDouble())).ToList())).ToList();

    [Fact]
    public void BuildSearchAndAdd()
    {
        using var fixture = new Fixture();
        var (code, output, error) = fixture.Build();
        Assert.True(code == 0, error + output);
        Assert.Contains("12 images x 16 features", output);

        string query = Path.Combine(fixture.Photos, "odd", "3.png");
        var (sCode, sOutput, sError) = Run("search", "--index", fixture.Index, query, "-k", "3", "--json");
        Assert.True(sCode == 0, sError);
        var (q, results) = Assert.Single(Parse(sOutput));
        Assert.Equal(query, q);
        Assert.Equal(3, results.Count);
        Assert.Equal(query, results[0].Path);
        Assert.Equal(1.0, results[0].Score, 1e-4);
        var (eCode, eOutput, _) = Run("search", "--index", fixture.Index, query, "-k", "3", "--json", "--exact");
        Assert.Equal(0, eCode);
        var exact = Parse(eOutput)[0].Results;
        Assert.Equal(results.Select(r => r.Path), exact.Select(r => r.Path));
        Assert.All(results.Zip(exact), p => Assert.Equal(p.First.Score, p.Second.Score, 1e-4));

        // A wider search (HNSW's ef) finds the same here; 0 is a usage error naming the option.
        var (wCode, wOutput, wError) = Run("search", "--index", fixture.Index, query, "-k", "3", "--json", "--expansion-search", "256");
        Assert.True(wCode == 0, wError);
        Assert.Equal(exact.Select(r => r.Path), Parse(wOutput)[0].Results.Select(r => r.Path));
        var (zCode, _, zError) = Run("search", "--index", fixture.Index, query, "--expansion-search", "0");
        Assert.Equal(CliApp.UsageError, zCode);
        Assert.Contains("--expansion-search", zError);

        // Rows of an embedding matrix are queries too, named by row.
        string features = fixture.Folder.File("q.npy");
        var (mCode, _, mError) = Run("embed", "--weights", fixture.Weights, "--image-size", "16", "--device", "cpu", "-o", features,
            Path.Combine(fixture.Photos, "odd"));
        Assert.True(mCode == 0, mError);
        var (nCode, nOutput, nError) = Run("search", "--index", fixture.Index, features, "-k", "1", "--json");
        Assert.True(nCode == 0, nError);
        var byRow = Parse(nOutput);
        var rows = PathsFile.Read(fixture.Folder.File("q.paths.jsonl"));
        Assert.Equal(rows.Count, byRow.Count);
        Assert.All(byRow.Select((r, i) => (r, i)), p =>
        {
            Assert.Equal($"{features}[{p.i}]", p.r.Query);
            Assert.Equal(rows[p.i], p.r.Results[0].Path);
        });

        string more = fixture.Folder.File("more");
        for (int i = 0; i < 4; i++)
            TestImages.Write(Path.Combine(more, $"m{i}.png"), 22, 22, seed: 200 + i);
        var (aCode, aOutput, aError) = Run("index", "add", "--index", fixture.Index, more, "--device", "cpu");
        Assert.True(aCode == 0, aError);
        Assert.Contains("4 images added", aOutput);
        Assert.Contains("16 in", aOutput);
        var (againCode, againOutput, _) = Run("index", "add", "--index", fixture.Index, more, Path.Combine(more, "m1.png"));
        Assert.Equal(0, againCode);
        Assert.Contains("0 images added", againOutput);
        var (tCode, tOutput, _) = Run("search", "--index", fixture.Index, Path.Combine(more, "m2.png"), "-k", "1");
        Assert.Equal(0, tCode);
        Assert.Contains(Path.Combine(more, "m2.png"), tOutput);
        Assert.Contains("1.0000", tOutput);
    }

    [Fact]
    public void BadQueriesAndMismatchedModelsAreRefusedAndTheIndexIsUntouched()
    {
        using var fixture = new Fixture();
        Assert.Equal(0, fixture.Build().Code);
        var before = fixture.IndexFiles();
        string query = Path.Combine(fixture.Photos, "even", "0.png");

        string broken = fixture.Folder.File("broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var (code, _, error) = Run("search", "--index", fixture.Index, query, broken);
        Assert.Equal(2, code);
        Assert.Contains("broken.png", error);

        string other = fixture.Folder.File("other.safetensors");
        File.WriteAllBytes(other, TestWeights.TinyFile(32, fixture.Folder.Path));
        var (oCode, _, oError) = Run("search", "--index", fixture.Index, "--weights", other, query);
        Assert.Equal(2, oCode);
        Assert.Contains("not the model", oError);

        string wide = fixture.Folder.File("wide.npy");
        NpyFile.WriteFloat32(wide, new float[2 * 17], 2, 17);
        var (wCode, _, wError) = Run("search", "--index", fixture.Index, wide);
        Assert.Equal(2, wCode);
        Assert.Contains("expected (N, 16)", wError);

        // The weights file the index was built with changes: queries would be embedded by another model.
        File.Copy(other, fixture.Weights, overwrite: true);
        var (cCode, _, cError) = Run("search", "--index", fixture.Index, query);
        Assert.Equal(2, cCode);
        Assert.Contains("not the weights file this index was built with", cError);

        var after = fixture.IndexFiles();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, f => Assert.Equal(f.Value, after[f.Key]));
    }

    [Fact]
    public void ADamagedIndexIsAnErrorNamingTheFile()
    {
        using var fixture = new Fixture();
        Assert.Equal(0, fixture.Build().Code);
        string vectors = Directory.GetFiles(fixture.Index, "vectors-*.usearch").Single();
        var bytes = File.ReadAllBytes(vectors);
        File.WriteAllBytes(vectors, bytes[..^7]);
        var (code, _, error) = Run("search", "--index", fixture.Index, Path.Combine(fixture.Photos, "even", "0.png"));
        Assert.Equal(2, code);
        Assert.Contains(vectors, error);
        Assert.Contains("truncated", error);
        var (aCode, _, aError) = Run("index", "add", "--index", fixture.Index, fixture.Photos);
        Assert.Equal(2, aCode);
        Assert.Contains(vectors, aError);
        Assert.Equal(bytes.Length - 7, new FileInfo(vectors).Length);
        var (nCode, _, nError) = Run("search", "--index", fixture.Folder.File("nowhere"), "x.png");
        Assert.Equal(2, nCode);
        Assert.Contains("Image index not found", nError);
    }

    [Fact]
    public void ABuildThatFailsLeavesNothingAndSkippingBadImagesWorks()
    {
        using var fixture = new Fixture();
        File.WriteAllBytes(Path.Combine(fixture.Photos, "odd", "junk.png"), [1, 2, 3, 4]);
        var (code, _, error) = fixture.Build();
        Assert.Equal(2, code);
        Assert.Contains("junk.png", error);
        Assert.False(Directory.Exists(fixture.Index));

        var (sCode, sOutput, sError) = fixture.Build("--skip-bad-images");
        Assert.True(sCode == 0, sError);
        Assert.Contains("skipped", sOutput);
        Assert.Contains("12 images", sOutput);
        var (again, _, againError) = fixture.Build();
        Assert.Equal(2, again);
        Assert.Contains("already holds an index", againError);
    }

    [Fact]
    public void ABuildStoppedByABadImageKeepsWhatItSaved()
    {
        using var fixture = new Fixture();
        File.WriteAllBytes(Path.Combine(fixture.Photos, "odd", "zz-junk.png"), [1, 2, 3, 4]);
        var (code, output, error) = fixture.Build("--batch-size", "2", "--save-every", "4");
        Assert.Equal(2, code);
        Assert.Contains("zz-junk.png", error);
        Assert.Contains("keeps the 12 images saved so far", output);
        Assert.Contains($"resnet index add --index {fixture.Index}", output);
        var (sCode, sOutput, _) = Run("search", "--index", fixture.Index, Path.Combine(fixture.Photos, "odd", "9.png"), "-k", "1");
        Assert.Equal(0, sCode);
        Assert.Contains(Path.Combine(fixture.Photos, "odd", "9.png"), sOutput);
    }
}
