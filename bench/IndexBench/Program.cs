// Builds an ImageIndex of N synthetic vectors and prints one JSON object: build time, memory, HNSW and exact
// queries/s, and recall@10 of HNSW against exact search at several search expansions.
// Usage: IndexBench --vectors 100000 [--dims 512] [--queries 1000] [--ef 64,128,256] [--folder DIR] [--seed 1]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Models;
using ResNetSharp.Search;

var options = Args.Parse(args);
int n = options.Int("vectors", 10_000), dims = options.Int("dims", 512), queries = options.Int("queries", 1000), k = 10;
int seed = options.Int("seed", 1);
var efs = options.Text("ef", "64,128,256").Split(',').Select(int.Parse).ToArray();
string folder = options.Text("folder", Path.Combine(Path.GetTempPath(), $"index-bench-{n}-{Environment.ProcessId}"));
if (Directory.Exists(folder))
    Directory.Delete(folder, recursive: true);

// Vectors around 1,000 random centres (a mixture of Gaussians, noise half the centres' spread): closer to
// image embeddings than uniform noise, where every point is about as far from every other.
var data = new Mixture(dims, centres: 1000, seed);
var model = new IndexedModel("synthetic", ResNetSpecJson.ToJson(ModelCatalog.Get("resnet18")), "/synthetic", new string('0', 64), null,
    ImagePreprocessing.ImageNet, dims);

long rssStart = Memory.ResidentBytes();
var build = Stopwatch.StartNew();
double cpuStart = Memory.CpuSeconds();
double addSeconds, saveSeconds, addCpuSeconds;
long rssBuilt, graphBytes;
using (var index = ImageIndex.Create(folder, model))
{
    const int chunk = 50_000;
    for (int start = 0; start < n; start += chunk)
    {
        int count = Math.Min(chunk, n - start);
        index.Add(Enumerable.Range(start, count).Select(i => $"v{i}").ToArray(), data.Sample(count, start));
    }
    addSeconds = build.Elapsed.TotalSeconds;
    addCpuSeconds = Memory.CpuSeconds() - cpuStart;
    rssBuilt = Memory.ResidentBytes();
    graphBytes = index.MemoryBytes ?? -1;
    index.Save();
    saveSeconds = build.Elapsed.TotalSeconds - addSeconds;
}
long fileBytes = Directory.GetFiles(folder, "vectors-*.usearch").Sum(f => new FileInfo(f).Length);
GC.Collect();

var query = data.Sample(queries, n + 1_000_000_000);
var open = Stopwatch.StartNew();
using var opened = ImageIndex.Open(folder);
double openSeconds = open.Elapsed.TotalSeconds;
long rssOpened = Memory.ResidentBytes();

var exactClock = Stopwatch.StartNew();
double exactCpu = Memory.CpuSeconds();
var exact = opened.SearchExact(query, queries, k);
double exactSeconds = exactClock.Elapsed.TotalSeconds;
exactCpu = Memory.CpuSeconds() - exactCpu;
long rssExact = Memory.ResidentBytes();

var runs = new List<object>();
foreach (int ef in efs)
{
    opened.ExpansionSearch = ef;
    var hits = new IReadOnlyList<SearchHit>[queries];
    var single = Stopwatch.StartNew();
    double cpu = Memory.CpuSeconds();
    for (int q = 0; q < queries; q++)
        hits[q] = opened.Search(query.AsSpan(q * dims, dims), k);
    double singleSeconds = single.Elapsed.TotalSeconds;
    cpu = Memory.CpuSeconds() - cpu;
    var parallel = Stopwatch.StartNew();
    Parallel.For(0, queries, q => opened.Search(query.AsSpan(q * dims, dims), k));
    double parallelSeconds = parallel.Elapsed.TotalSeconds;
    double recall = Enumerable.Range(0, queries)
        .Average(q => hits[q].Select(h => h.Path).Intersect(exact[q].Select(h => h.Path)).Count() / (double)k);
    runs.Add(new { ef, recall10 = Math.Round(recall, 4), queriesPerSecond = Math.Round(queries / singleSeconds, 1),
        queriesPerCpuSecond = Math.Round(queries / cpu, 1),
        queriesPerSecondAllCores = Math.Round(queries / parallelSeconds, 1) });
}
long rssSearched = Memory.ResidentBytes();

Console.WriteLine(JsonSerializer.Serialize(new
{
    vectors = n, dims, queries, threads = Environment.ProcessorCount,
    buildSeconds = Math.Round(addSeconds + saveSeconds, 2), addSeconds = Math.Round(addSeconds, 2), saveSeconds = Math.Round(saveSeconds, 2),
    vectorsPerSecond = Math.Round(n / addSeconds, 0), addCpuSeconds = Math.Round(addCpuSeconds, 1),
    vectorsPerCpuSecond = Math.Round(n / addCpuSeconds, 0),
    buildRssMiB = Memory.MiB(rssBuilt - rssStart), graphMiB = Memory.MiB(graphBytes), fileMiB = Memory.MiB(fileBytes),
    openSeconds = Math.Round(openSeconds, 3), openRssDeltaMiB = Memory.MiB(rssOpened - rssStart),
    searchedRssDeltaMiB = Memory.MiB(rssSearched - rssStart),
    exactQueriesPerSecond = Math.Round(queries / exactSeconds, 1), exactQueriesPerCpuSecond = Math.Round(queries / exactCpu, 1), exactRssDeltaMiB = Memory.MiB(rssExact - rssOpened),
    hnsw = runs,
}));
Directory.Delete(folder, recursive: true);

internal sealed class Mixture(int dims, int centres, int seed)
{
    private readonly float[] _centres = Gaussian(new Random(seed), centres * dims, 1f);

    /// <summary>Rows <paramref name="first"/>.. of the sequence: each its own seeded draw, so any slice is reproducible.</summary>
    public float[] Sample(int count, long first)
    {
        var result = new float[count * dims];
        Parallel.For(0, count, i =>
        {
            var random = new Random(HashCode.Combine(seed, first + i));
            int centre = random.Next(centres);
            var noise = Gaussian(random, dims, 0.5f);
            for (int j = 0; j < dims; j++)
                result[i * dims + j] = _centres[centre * dims + j] + noise[j];
        });
        return result;
    }

    private static float[] Gaussian(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }
}

internal static class Memory
{
    /// <summary>VmRSS of this process (Linux).</summary>
    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return -1;
    }

    /// <summary>CPU time this process has used, all threads: a rate per CPU-second holds on a busy machine where wall time does not.</summary>
    public static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public static double MiB(long bytes) => Math.Round(bytes / 1048576.0, 1);
}

internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        return new Args(values);
    }

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);
}
