using System.Net.Http.Headers;
using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// <c>resnet serve --index</c> over the index <c>resnet index build</c> makes: with either engine, an indexed image sent to
/// POST /v1/search comes back as its own nearest neighbour; an index built with other weights is refused at start.
/// </summary>
public class ServeIndexTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    /// <summary>The tiny model's images and a few more in one folder, indexed with the tiny model's weights.</summary>
    private static (string Index, IReadOnlyList<string> Photos) BuildIndex(TinyModel tiny)
    {
        string photos = tiny.Folder.File("photos");
        Directory.CreateDirectory(photos);
        var files = Enumerable.Range(0, 6).Select(i => TestImages.Write(Path.Combine(photos, $"photo{i}.png"), 20 + 7 * i, 40 - 3 * i, seed: 100 + i)).ToList();
        string index = tiny.Folder.File("index");
        var (code, _, error) = Run(["index", "build", photos, "-o", index, .. tiny.WeightsOptions]);
        Assert.True(code == 0, error);
        return (index, files);
    }

    [Fact]
    public async Task SearchFindsTheQueryImageFirstWithEitherEngine()
    {
        using var tiny = new TinyModel();
        var (index, photos) = BuildIndex(tiny);
        string exported = tiny.Folder.File("exported.onnx");
        var (code, _, error) = Run(["export", .. tiny.WeightsOptions, "--format", "onnx", "-o", exported]);
        Assert.True(code == 0, error);

        string[][] engines = [[.. tiny.WeightsOptions, "--engine", "torchsharp"], ["--onnx", exported]];
        foreach (var servedBy in engines)
        {
            using var server = ServerProcess.Start([.. servedBy, "--index", index, "--max-batch", "4"]);
            using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
            var card = JsonDocument.Parse(await http.GetStringAsync("/v1/model")).RootElement;
            Assert.Equal(photos.Count, card.GetProperty("index").GetProperty("images").GetInt32());
            Assert.Contains("/v1/search", card.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));

            foreach (int query in new[] { 1, 4 })
            {
                var body = new ByteArrayContent(File.ReadAllBytes(photos[query]));
                body.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                using var response = await http.PostAsync("/v1/search?k=3", body);
                string text = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, $"{servedBy[0]}: {(int)response.StatusCode} {text}");
                var answer = JsonDocument.Parse(text).RootElement;
                var neighbors = answer.GetProperty("neighbors").EnumerateArray().ToList();
                Assert.Equal(3, neighbors.Count);
                Assert.Equal(Path.GetFullPath(photos[query]), neighbors[0].GetProperty("path").GetString());
                // Cosine similarity of an image to itself; float32 features, USearch's float32 inner product.
                Assert.True(neighbors[0].GetProperty("score").GetDouble() > 1 - 1e-4, text);
                Assert.True(neighbors[1].GetProperty("score").GetDouble() <= neighbors[0].GetProperty("score").GetDouble(), text);
                var rows = neighbors.Select(n => n.GetProperty("row").GetInt64()).ToList();
                Assert.All(rows, row => Assert.InRange(row, 0, photos.Count - 1));
                Assert.Equal(3, rows.Distinct().Count());
                Assert.Equal(TinyModel.ClassNames.Length, answer.GetProperty("top").GetArrayLength());
            }
            Assert.Equal(0, server.Terminate().Code);
        }
    }

    [Fact]
    public void AnIndexOfOtherWeightsOrOfAModelThatCannotBeMatchedIsRefusedAtStart()
    {
        using var tiny = new TinyModel();
        var (index, _) = BuildIndex(tiny);
        string other = tiny.Folder.File("other.pth");
        manual_seed(12);
        using (var model = new ResNet(ResNetSpecJson.Load(tiny.Spec)))
            PthWriter.Save(other, StateDictOrder.Entries(model));

        var cases = new (string[] Args, string Expected)[]
        {
            (["--model", tiny.Spec, "--weights", other, "--image-size", "24", "--class-names", tiny.Names, "--device", "cpu"], "the index was built with other weights"),
            (["--model", tiny.Spec, "--weights", tiny.Weights, "--image-size", "28", "--class-names", tiny.Names, "--device", "cpu"], "the indexed images were prepared as"),
            // An ONNX file written without the source weights' digest cannot be matched with any index.
            (["--onnx", tiny.Onnx], "does not record which weights it came from"),
            ([.. tiny.WeightsOptions, "--index", tiny.Folder.File("missing")], "no such folder"),
        };
        foreach (var (args, expected) in cases)
        {
            string[] command = args.Contains("--index") ? ["serve", .. args] : ["serve", .. args, "--index", index];
            var (code, _, error) = Run([.. command, "--port", "0"]);
            Assert.True(code == CliApp.UsageError, $"{string.Join(' ', command)}: exit {code}, {error}");
            Assert.Contains(expected, error);
            Assert.Contains("--index", error);
            Assert.DoesNotContain("   at ", error);
            Assert.Single(error.Trim().Split('\n'));
        }
    }
}
