using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Serving;
using ResNetSharp.Tests.Inference;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary><see cref="ModelServer"/> in this process, as a library user hosts it: its own model, its own index, a free loopback port.</summary>
public class ModelServerTests
{
    /// <summary>An index written as a user would: cosine similarity of the query to every embedding.</summary>
    private sealed class ListSearch(IReadOnlyList<(string Image, float[] Embedding)> entries) : IImageSearch
    {
        public int Dimensions => entries[0].Embedding.Length;
        public long Count => entries.Count;

        public IReadOnlyList<ImageNeighbor> Search(float[] embedding, int k) =>
            entries.Select(e => new ImageNeighbor(e.Image, Cosine(e.Embedding, embedding))).OrderByDescending(n => n.Score).Take(k).ToList();

        private static double Cosine(float[] a, float[] b) =>
            a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(v => (double)v * v) * b.Sum(v => (double)v * v));
    }

    private static TorchImageModel LoadTiny(TinyModel tiny)
    {
        var model = new ResNet(ResNetSpecJson.Load(tiny.Spec));
        WeightLoader.LoadFile(model, tiny.Weights);
        return new TorchImageModel(model, CPU, "tiny", TinyModel.ClassNames, ImagePreprocessing.ForCrop(24));
    }

    private static ByteArrayContent Body(string path, string type = "image/png")
    {
        var content = new ByteArrayContent(File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task MultipartAndRawUploadsAgreeAndSearchFindsTheIndexedImage()
    {
        using var tiny = new TinyModel();
        using var model = LoadTiny(tiny);
        var prepared = tiny.Images.Select(p => model.Info.Preprocessing.Prepare(ImageDecoder.Decode(p), 3)).ToList();
        var embeddings = model.Predict(ImageBatch.Stack(prepared, 3, 24, 24)).Select(p => p.Embedding).ToList();
        var index = new ListSearch(tiny.Images.Select((p, i) => (Path.GetFileName(p), embeddings[i])).ToList());
        await using var server = ModelServer.Create(model, new BatchingOptions(MaxBatchSize: 4), ServingOptions.Loopback(0), index);
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Url };

        var raw = await Json(await http.PostAsync("/v1/predict?k=2", Body(tiny.Images[2])));
        using var form = new MultipartFormDataContent { { Body(tiny.Images[2]), "image", "c.png" }, { new StringContent("ignored"), "note" } };
        var multipart = await Json(await http.PostAsync("/v1/predict?k=2", form));
        Assert.Equal(raw.GetProperty("outputs").GetRawText(), multipart.GetProperty("outputs").GetRawText());
        Assert.Equal(2, raw.GetProperty("top").GetArrayLength());
        Assert.Equal(raw.GetProperty("top").GetRawText(), raw.GetProperty("topByOutput").GetProperty("logits").GetRawText());
        var top = raw.GetProperty("top")[0];
        Assert.Contains(top.GetProperty("label").GetString(), TinyModel.ClassNames);
        Assert.Equal(TinyModel.ClassNames[top.GetProperty("index").GetInt32()], top.GetProperty("label").GetString());

        var found = await Json(await http.PostAsync("/v1/search?k=3", Body(tiny.Images[2])));
        var neighbors = found.GetProperty("neighbors").EnumerateArray().ToList();
        Assert.Equal(3, neighbors.Count);
        Assert.Equal("c.png", neighbors[0].GetProperty("path").GetString());
        Assert.True(neighbors[0].GetProperty("score").GetDouble() > 1 - 1e-4);
        Assert.True(neighbors[1].GetProperty("score").GetDouble() <= neighbors[0].GetProperty("score").GetDouble());
        Assert.Equal(raw.GetProperty("top")[0].GetRawText(), found.GetProperty("top")[0].GetRawText());

        var embedded = await Json(await http.PostAsync("/v1/embed", Body(tiny.Images[1], "image/jpeg")));
        Assert.Equal(16, embedded.GetProperty("dimensions").GetInt32());
        TinyModel.AssertClose(embeddings[1], embedded.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray(), "embedding");

        var card = await Json(await http.GetAsync("/v1/model"));
        Assert.Equal(["/v1/predict", "/v1/embed", "/v1/search"], card.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, card.GetProperty("index").GetProperty("images").GetInt64());
        Assert.Equal(["logits", "embedding"], card.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(TinyModel.ClassNames, card.GetProperty("outputs")[0].GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(24, card.GetProperty("preprocessing").GetProperty("cropTo").GetInt32());

        using var garbage = new ByteArrayContent("--elsewhere\r\nnot a part"u8.ToArray());
        garbage.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");
        using var malformed = await http.PostAsync("/v1/predict", garbage);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("multipart/form-data body is malformed", await malformed.Content.ReadAsStringAsync());

        using var badK = await http.PostAsync("/v1/predict?k=0", Body(tiny.Images[0]));
        Assert.Equal(HttpStatusCode.BadRequest, badK.StatusCode);
        Assert.Contains("query parameter k", await badK.Content.ReadAsStringAsync());
        using var page = await http.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Drop an image", await page.Content.ReadAsStringAsync());
        using var wrongMethod = await http.GetAsync("/v1/predict");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("POST", wrongMethod.Content.Headers.Allow.Single());
        Assert.Contains("/v1/predict takes POST, not GET", await wrongMethod.Content.ReadAsStringAsync());
        using var unknown = await http.PostAsync("/v2/predict", Body(tiny.Images[0]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no endpoint POST /v2/predict", await unknown.Content.ReadAsStringAsync());

        var wrongSize = new ListSearch([("x", new float[7])]);
        Assert.Contains("the index holds 7-dimension embeddings; tiny's \"embedding\" output has 16",
            Assert.Throws<ArgumentException>(() => ModelServer.Create(model, new BatchingOptions(), ServingOptions.Loopback(0), wrongSize)).Message);
    }

    [Fact]
    public async Task AFullQueueIsAnswered503WithRetryAfterAndReadyzSaysSo()
    {
        using var tiny = new TinyModel();
        using var model = new GatedModel(open: false);
        await using var server = ModelServer.Create(model, new BatchingOptions(MaxBatchSize: 1, MaxWaitMilliseconds: 0, MaxQueue: 1), ServingOptions.Loopback(0));
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Url };

        var running = http.PostAsync("/v1/predict", Body(tiny.Images[0]));
        model.WaitUntilEntered();
        var queued = http.PostAsync("/v1/predict", Body(tiny.Images[2]));
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); server.Predictor.QueueDepth < 1; await Task.Delay(5))
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "the second request never reached the queue");

        using (var refused = await http.PostAsync("/v1/predict", Body(tiny.Images[0])))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains("queue is full", await refused.Content.ReadAsStringAsync());
        }
        using (var ready = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("queue full", (await Json503(ready)).GetProperty("status").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        model.Open();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Contains("resnet_requests_refused_total{reason=\"queue_full\"} 1", await http.GetStringAsync("/metrics"));
    }

    private static async Task<JsonElement> Json503(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
