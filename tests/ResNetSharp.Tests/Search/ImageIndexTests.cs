using ResNetSharp.Imaging;
using ResNetSharp.Models;
using ResNetSharp.Search;

namespace ResNetSharp.Tests.Search;

/// <summary>ImageIndex as an outside user calls it: vectors in, neighbours out, files on disk checked.</summary>
public class ImageIndexTests
{
    private const int Dimensions = 48;

    private static IndexedModel Model(int dimensions = Dimensions) =>
        new("test-model", ResNetSpecJson.ToJson(ModelCatalog.Get("resnet18")), "/nowhere/weights.safetensors",
            new string('a', 64), null, ImagePreprocessing.ImageNet, dimensions);

    /// <summary>Vectors around a few random centres, so neighbours are meaningful.</summary>
    private static float[] Clustered(int count, int seed, int dimensions = Dimensions)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, dimensions).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
        var data = new float[count * dimensions];
        for (int i = 0; i < count; i++)
        {
            var centre = centres[random.Next(centres.Length)];
            for (int j = 0; j < dimensions; j++)
                data[i * dimensions + j] = (float)(centre[j] + 0.3 * (random.NextDouble() * 2 - 1));
        }
        return data;
    }

    private static string[] Names(int count, int offset = 0) => Enumerable.Range(offset, count).Select(i => $"/images/{i:D5}.jpg").ToArray();

    private static List<(string Path, double Score)> BruteForce(float[] data, string[] paths, float[] query, int k)
    {
        double Norm(ReadOnlySpan<float> v) { double s = 0; foreach (var x in v) s += (double)x * x; return Math.Sqrt(s); }
        double qn = Norm(query);
        return Enumerable.Range(0, paths.Length).Select(i =>
        {
            var row = data.AsSpan(i * Dimensions, Dimensions);
            double dot = 0;
            for (int j = 0; j < Dimensions; j++)
                dot += (double)row[j] * query[j];
            return (paths[i], dot / (Norm(row) * qn));
        }).OrderByDescending(p => p.Item2).Take(k).ToList();
    }

    [Fact]
    public void SavedAndReopenedTheIndexFindsWhatBruteForceFinds()
    {
        using var folder = new TemporaryFolder();
        string at = folder.File("idx");
        var data = Clustered(3000, seed: 1);
        var paths = Names(3000);
        using (var index = ImageIndex.Create(at, Model()))
        {
            Assert.Equal(3000, index.Add(paths, data));
            index.Save();
        }

        using var opened = ImageIndex.Open(at);
        Assert.True(opened.IsReadOnly);
        Assert.Equal(3000, opened.Count);
        Assert.Equal("test-model", opened.Model.Name);
        var queries = Clustered(50, seed: 2);
        int agreed = 0;
        for (int q = 0; q < 50; q++)
        {
            var query = queries.AsSpan(q * Dimensions, Dimensions).ToArray();
            var expected = BruteForce(data, paths, query, 10);
            var exact = opened.SearchExact(query, 10);
            Assert.Equal(expected.Select(e => e.Path), exact.Select(h => h.Path));
            Assert.All(expected.Zip(exact), p => Assert.Equal(p.First.Score, p.Second.Score, 1e-5));
            var approximate = opened.Search(query, 10);
            Assert.Equal(10, approximate.Count);
            Assert.All(approximate.Zip(approximate.Skip(1)), p => Assert.True(p.First.Score >= p.Second.Score));
            agreed += approximate.Select(h => h.Path).Intersect(expected.Select(e => e.Path)).Count();
        }
        Assert.True(agreed >= 0.9 * 500, $"recall@10 {agreed / 500.0}");

        // An indexed vector finds itself, similarity 1, whatever its length.
        var self = data.AsSpan(17 * Dimensions, Dimensions).ToArray().Select(v => v * 3f).ToArray();
        var top = opened.Search(self, 1).Single();
        Assert.Equal(paths[17], top.Path);
        Assert.Equal(1.0, top.Score, 1e-5);
    }

    [Fact]
    public void TheSearchExpansionIsKeptWithTheIndexAndWideningItFindsMoreTrueNeighbours()
    {
        using var folder = new TemporaryFolder();
        string at = folder.File("idx");
        var data = Clustered(3000, seed: 12);
        var paths = Names(3000);
        using (var index = ImageIndex.Create(at, Model(), new ImageIndexOptions(ExpansionSearch: 16)))
        {
            Assert.Equal(16, index.ExpansionSearch);
            index.Add(paths, data);
            index.Save();
        }
        using var opened = ImageIndex.Open(at);
        Assert.Equal(16, opened.ExpansionSearch);
        Assert.True(opened.MemoryBytes > 0, $"{opened.MemoryBytes}");
        var queries = Clustered(40, seed: 13);
        int Found()
        {
            int found = 0;
            for (int q = 0; q < 40; q++)
            {
                var query = queries.AsSpan(q * Dimensions, Dimensions);
                var exact = opened.SearchExact(query, 10).Select(h => h.Path);
                found += opened.Search(query, 10).Select(h => h.Path).Intersect(exact).Count();
            }
            return found;
        }
        int narrow = Found();
        opened.ExpansionSearch = 512;
        int wide = Found();
        Assert.True(wide >= narrow, $"{wide} true neighbours at ef 512, {narrow} at 16");
        Assert.True(wide >= 0.99 * 400, $"recall@10 {wide / 400.0} at ef 512");
    }

    [Fact]
    public void AddingWritesANewGenerationAndSkipsPathsAlreadyIndexed()
    {
        using var folder = new TemporaryFolder();
        string at = folder.File("idx");
        var first = Clustered(200, seed: 3);
        using (var index = ImageIndex.Create(at, Model()))
        {
            index.Add(Names(200), first);
            index.Save();
        }
        var second = Clustered(100, seed: 4);
        using (var index = ImageIndex.Open(at, writable: true))
        {
            Assert.Equal(50, index.Add([.. Names(50, offset: 150)[..0], .. Names(50, offset: 200)], second.AsSpan(0, 50 * Dimensions)));
            Assert.Equal(0, index.Add(Names(50, offset: 150), second.AsSpan(50 * Dimensions)));
            Assert.True(index.HasUnsavedChanges);
            index.Save();
        }
        using var opened = ImageIndex.Open(at);
        Assert.Equal(250, opened.Count);
        Assert.Equal(Names(250), opened.Paths);
        Assert.Equal("/images/00210.jpg", opened.Search(second.AsSpan(10 * Dimensions, Dimensions), 1)[0].Path);
        var files = Directory.GetFiles(at).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["index.json", "index.lock", "paths-000002.jsonl", "vectors-000002.usearch"], files);
    }

    [Fact]
    public void PathsWithNewlinesAndQuotesKeepTheirRows()
    {
        using var folder = new TemporaryFolder();
        string at = folder.File("idx");
        string[] paths = ["/a\nb.jpg", "/c\"d\".png", "/e\\f\r.bmp", "/ünï cødé.jpg"];
        var data = Clustered(4, seed: 5);
        using (var index = ImageIndex.Create(at, Model()))
        {
            index.Add(paths, data);
            index.Save();
        }
        using var opened = ImageIndex.Open(at);
        Assert.Equal(paths, opened.Paths);
        for (int i = 0; i < 4; i++)
            Assert.Equal(paths[i], opened.SearchExact(data.AsSpan(i * Dimensions, Dimensions), 1)[0].Path);
    }

    [Fact]
    public void DamagedIndexesAreRefusedNamingTheFileAndLeftAsTheyWere()
    {
        using var folder = new TemporaryFolder();
        string at = folder.File("idx");
        using (var index = ImageIndex.Create(at, Model()))
        {
            index.Add(Names(100), Clustered(100, seed: 6));
            index.Save();
        }
        string vectors = Path.Combine(at, "vectors-000001.usearch");
        string paths = Path.Combine(at, "paths-000001.jsonl");
        string manifest = Path.Combine(at, "index.json");
        var pristine = Directory.GetFiles(at).ToDictionary(f => f, File.ReadAllBytes);

        void Expect(string file, string words, Action damage)
        {
            damage();
            var snapshot = Directory.GetFiles(at).ToDictionary(f => f, File.ReadAllBytes);
            var error = Assert.Throws<InvalidDataException>(() => ImageIndex.Open(at, writable: true).Dispose());
            Assert.Contains(file, error.Message);
            Assert.Contains(words, error.Message);
            Assert.Equal(snapshot.Keys.Order(), Directory.GetFiles(at).Order());
            Assert.All(snapshot, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
            foreach (var (name, bytes) in pristine)
                File.WriteAllBytes(name, bytes);
        }

        Expect(vectors, "truncated", () => File.WriteAllBytes(vectors, pristine[vectors][..(pristine[vectors].Length / 2)]));
        Expect(vectors, "damaged", () => { var b = (byte[])pristine[vectors].Clone(); b[b.Length / 2] ^= 0x10; File.WriteAllBytes(vectors, b); });
        Expect(paths, "damaged", () => { var b = (byte[])pristine[paths].Clone(); b[20] ^= 0x01; File.WriteAllBytes(paths, b); });
        Expect(manifest, "not a valid image index manifest", () => File.WriteAllText(manifest, "{\"format\":"));
        Expect(vectors, "missing", () => File.Delete(vectors));
        Expect(manifest, "dimensions", () => File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"dimensions\": 48", "\"dimensions\": 0")));
        using var fine = ImageIndex.Open(at);
        Assert.Equal(100, fine.Count);
    }

    [Fact]
    public void BadQueriesAndMisuseAreArgumentErrors()
    {
        using var folder = new TemporaryFolder();
        string at = folder.File("idx");
        using (var index = ImageIndex.Create(at, Model()))
        {
            Assert.Empty(index.Search(new float[Dimensions].Select((_, i) => (float)i).ToArray(), 5));
            index.Add(Names(10), Clustered(10, seed: 7));
            Assert.Contains("has 3 values", Assert.Throws<ArgumentException>(() => index.Search(new float[3], 5)).Message);
            Assert.Contains("all zeros", Assert.Throws<ArgumentException>(() => index.Search(new float[Dimensions], 5)).Message);
            var nan = new float[Dimensions];
            nan[3] = float.NaN;
            Assert.Contains("finite", Assert.Throws<ArgumentException>(() => index.Search(nan, 5)).Message);
            Assert.Throws<ArgumentException>(() => index.Add(Names(2), new float[Dimensions]));
            Assert.Equal(10, index.Search(Clustered(1, seed: 8), 50).Count);
            index.Save();
        }
        Assert.Contains("already holds an image index", Assert.Throws<IOException>(() => ImageIndex.Create(at, Model())).Message);
        string never = folder.File("never-saved");
        using (var unsaved = ImageIndex.Create(never, Model()))
            unsaved.Add(Names(3), Clustered(3, seed: 10));
        Assert.False(Directory.Exists(never));
        using var readOnly = ImageIndex.Open(at);
        Assert.Throws<InvalidOperationException>(() => readOnly.Add(Names(1), Clustered(1, seed: 9)));
        using var writer = ImageIndex.Open(at, writable: true);
        Assert.Contains("being changed by another process", Assert.Throws<IOException>(() => ImageIndex.Open(at, writable: true)).Message);
    }

    [Fact]
    public async Task ConcurrentSearchesAndAddsAreSafe()
    {
        using var folder = new TemporaryFolder();
        using var index = ImageIndex.Create(folder.File("idx"), Model());
        var data = Clustered(2000, seed: 10);
        index.Add(Names(1000), data.AsSpan(0, 1000 * Dimensions));
        var queries = Clustered(64, seed: 11);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var adder = Task.Run(() =>
        {
            for (int batch = 0; batch < 10; batch++)
                index.Add(Names(100, offset: 1000 + batch * 100), data.AsSpan((1000 + batch * 100) * Dimensions, 100 * Dimensions));
        });
        Parallel.For(0, 256, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var query = queries.AsSpan(i % 64 * Dimensions, Dimensions);
            var hits = i % 4 == 0 ? index.SearchExact(query, 5) : index.Search(query, 5);
            if (hits.Count != 5 || hits.Any(h => !h.Path.StartsWith("/images/", StringComparison.Ordinal)))
                failures.Add($"query {i}: {hits.Count} hits");
        });
        await adder;
        Assert.Empty(failures);
        Assert.Equal(2000, index.Count);
    }
}
