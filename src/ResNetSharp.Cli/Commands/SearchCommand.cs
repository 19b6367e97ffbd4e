using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Search;
using ResNetSharp.Training;
using ResNetSharp.Zoo;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet search: the indexed images most similar to each query image (embedded with the index's own model),
/// or to each row of a .npy matrix of feature vectors. HNSW by default; --exact compares with every image.
/// </summary>
public static class SearchCommand
{
    /// <summary>The widest search accepted: a candidate list larger than this costs memory and time for no recall on any index.</summary>
    public const int MaxExpansionSearch = 100_000;

    /// <summary>One query's answer, as --json prints it.</summary>
    public sealed record QueryResults(string Query, IReadOnlyList<SearchHit> Results);

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var index = new Option<DirectoryInfo>("--index", "-i") { Description = "The index folder (made by 'resnet index build')", Required = true };
        var queries = new Argument<string[]>("queries") { Description = "Query images, or .npy float32 (N, D) matrices of feature vectors", Arity = ArgumentArity.OneOrMore };
        var k = new Option<int>("--top-k", "-k") { Description = "Neighbours per query", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print JSON: per query, its list of {path, score}" };
        var exact = new Option<bool>("--exact") { Description = "Brute-force cosine similarity against every indexed image (a matrix product) instead of the HNSW graph" };
        var weights = new Option<FileInfo?>("--weights", "-w") { Description = "Check that the index was built with these weights (file or MODEL:TAG)" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var expansion = new Option<int?>("--expansion-search")
        {
            Description = "HNSW candidates per query (ef): higher finds more of the true neighbours, more slowly; large indexes want " +
                "more (recall@10 at 1M vectors: 0.90 at 64, 0.98 at 256, see bench/RESULTS.md) [default: the index's own, USearch's 64]",
        };
        var command = new Command("search", "Find the indexed images most similar to query images") { index, k, json, exact, weights, device, expansion, queries };
        command.SetAction(parsed =>
        {
            int top = parsed.GetValue(k);
            OptionChecks.AtLeast(top, 1, "-k");
            var files = parsed.GetValue(queries)!;
            int? candidates = parsed.GetValue(expansion) is { } ef ? OptionChecks.Between(ef, 1, MaxExpansionSearch, "--expansion-search") : null;
            using var opened = ImageIndex.Open(parsed.GetValue(index)!.FullName, device: DeviceSelection.Parse(parsed.GetValue(device)!));
            if (candidates is { } chosen)
                opened.ExpansionSearch = chosen;
            if (parsed.GetValue(weights) is { } given)
                CheckWeights(opened, WeightsArgument.Resolve(given));
            var (names, vectors) = Embed(opened, files);
            var hits = parsed.GetValue(exact)
                ? opened.SearchExact(vectors, names.Count, top)
                : Enumerable.Range(0, names.Count).Select(q => opened.Search(vectors.AsSpan(q * opened.Dimensions, opened.Dimensions), top)).ToList();
            var results = names.Select((name, q) => new QueryResults(name, hits[q])).ToList();
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(results, JsonOutput.Options));
            else
                foreach (var result in results)
                {
                    output.WriteLine($"{result.Query}:");
                    foreach (var hit in result.Results)
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {hit.Score,7:F4}  {hit.Path}"));
                }
            return 0;
        });
        return command;
    }

    /// <summary>Every query as a vector, in order; images are all decoded before the model loads, so a bad one fails fast.</summary>
    private static (List<string> Names, float[] Vectors) Embed(ImageIndex index, IReadOnlyList<string> queries)
    {
        var names = new List<string>();
        var vectors = new List<float>();
        var images = new List<(int Position, DecodedImage Image)>();
        foreach (string query in queries)
        {
            if (Path.GetExtension(query).Equals(".npy", StringComparison.OrdinalIgnoreCase))
            {
                var (data, shape) = NpyFile.ReadFloat32(query);
                if (shape.Length != 2 || shape[1] != index.Dimensions)
                    throw new FormatException($"{query}: shape ({string.Join(", ", shape)}); expected (N, {index.Dimensions}) feature vectors for this index.");
                for (int row = 0; row < shape[0]; row++)
                    names.Add($"{query}[{row}]");
                vectors.AddRange(data);
            }
            else
            {
                images.Add((names.Count, ImageDecoder.Decode(query)));
                names.Add(query);
                vectors.AddRange(new float[index.Dimensions]);
            }
        }
        var all = vectors.ToArray();
        foreach (var (position, image) in images)
            index.Embedder.Embed(image).CopyTo(all, position * index.Dimensions);
        return (names, all);
    }

    private static void CheckWeights(ImageIndex index, string weights)
    {
        string sha256 = WeightsCache.FileDigest(weights);
        if (sha256 != index.Model.WeightsSha256)
            throw new UsageException($"--weights {weights} is not the model {index.Folder} was built with ({index.Model.Name}, {index.Model.Weights}); " +
                "its vectors would not be comparable. Search without --weights to use the index's own model.");
    }
}
