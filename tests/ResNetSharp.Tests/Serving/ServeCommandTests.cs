using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary><c>resnet serve</c> as a user runs it: its own process on a free loopback port, concurrent clients, hostile input, SIGTERM.</summary>
public class ServeCommandTests
{
    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".png" => "image/png",
        ".jpg" => "image/jpeg",
        ".webp" => "image/webp",
        _ => "application/octet-stream",
    };

    private static ByteArrayContent ImageContent(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static float[] Logits(JsonElement answer) =>
        answer.GetProperty("outputs").GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    /// <summary>Sends <paramref name="requests"/> requests from each of <paramref name="clients"/> concurrent clients, cycling through the images.</summary>
    private static async Task<(int Errors, List<(int Image, JsonElement Answer)> Answers)> Load(HttpClient http, IReadOnlyList<string> images, int clients, int requests)
    {
        var bodies = images.Select(File.ReadAllBytes).ToArray();
        var answers = new ConcurrentBag<(int, JsonElement)>();
        int errors = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (int r = 0; r < requests; r++)
            {
                int image = (client + r) % bodies.Length;
                try
                {
                    using var response = await http.PostAsync("/v1/predict", ImageContent(bodies[image], ContentType(images[image])));
                    if (response.StatusCode != HttpStatusCode.OK)
                        Interlocked.Increment(ref errors);
                    else
                        answers.Add((image, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return (errors, answers.ToList());
    }

    /// <summary>Each bad input of the issue, and what it must be answered.</summary>
    private static IEnumerable<(string Name, Func<HttpContent> Content, HttpStatusCode Status)> BadInputs(TinyModel tiny)
    {
        var png = File.ReadAllBytes(tiny.Images[0]);
        var overLimit = new byte[(1 << 20) + 1000];
        yield return ("not an image", () => ImageContent(Encoding.UTF8.GetBytes("this is not an image"), "image/png"), HttpStatusCode.BadRequest);
        yield return ("empty body", () => ImageContent([], "image/png"), HttpStatusCode.BadRequest);
        yield return ("truncated PNG", () => ImageContent(png[..(png.Length / 2)], "image/png"), HttpStatusCode.BadRequest);
        yield return ("60,000 x 60,000 PNG header", () => ImageContent(DecompressionBomb.Png(60_000, 60_000), "image/png"), HttpStatusCode.RequestEntityTooLarge);
        yield return ("over the body limit", () => ImageContent(overLimit, "image/png"), HttpStatusCode.RequestEntityTooLarge);
        yield return ("over the body limit, chunked", () => new StreamContent(new MemoryStream(overLimit)) { Headers = { ContentType = new("image/png") } },
            HttpStatusCode.RequestEntityTooLarge);
        yield return ("wrong content type", () => ImageContent(png, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        yield return ("JSON", () => new StringContent("{\"image\": 1}", Encoding.UTF8, "application/json"), HttpStatusCode.UnsupportedMediaType);
        yield return ("no content type", () => ImageContent(png, null), HttpStatusCode.UnsupportedMediaType);
        yield return ("multipart without an image field", () => new MultipartFormDataContent { { ImageContent(png, "image/png"), "photo", "a.png" } },
            HttpStatusCode.BadRequest);
        yield return ("multipart image field of text", () => new MultipartFormDataContent { { ImageContent(png, "text/plain"), "image", "a.txt" } },
            HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task SixteenClientsOfAHundredRequestsGetTheAnswersOfPredictAndBadInputsLeaveTheServerUp()
    {
        using var tiny = new TinyModel();
        var fromOnnx = TinyModel.PredictLogits(["--onnx", tiny.Onnx], tiny.Images);
        var fromTorch = TinyModel.PredictLogits(tiny.WeightsOptions, tiny.Images);
        using var server = ServerProcess.Start("--onnx", tiny.Onnx, "--max-batch", "16", "--max-wait-ms", "2", "--max-body-mb", "1");
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };

        var (errors, answers) = await Load(http, tiny.Images, clients: 16, requests: 100);
        Assert.Equal(0, errors);
        Assert.Equal(1600, answers.Count);
        foreach (var (image, answer) in answers)
        {
            var logits = Logits(answer);
            TinyModel.AssertClose(fromOnnx[image], logits, $"image {image} vs predict --onnx");
            TinyModel.AssertClose(fromTorch[image], logits, $"image {image} vs predict --weights");
            Assert.Equal(TinyModel.ClassNames[Array.IndexOf(logits, logits.Max())], answer.GetProperty("top")[0].GetProperty("label").GetString());
        }

        foreach (var (name, content, status) in BadInputs(tiny))
        {
            using var response = await http.PostAsync("/v1/predict", content());
            Assert.True(response.StatusCode == status, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), name);
            using var health = await http.GetAsync("/healthz");
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"/healthz after {name}: {health.StatusCode}");
        }

        string metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("resnet_batch_size_count", metrics);
        Assert.Contains("resnet_queue_depth", metrics);
        Assert.Contains("http_requests_received_total", metrics);
        Assert.Contains("resnet_requests_refused_total{reason=\"too_large\"}", metrics);
        var (code, _, stderr) = server.Terminate();
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public async Task SigtermAnswersTheRequestInFlightThenExitsZero()
    {
        using var tiny = new TinyModel();
        // A batch of two that waits a minute for its second image: only draining lets the first one go.
        using var server = ServerProcess.Start("--onnx", tiny.Onnx, "--max-batch", "2", "--max-wait-ms", "60000");
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
        var inFlight = http.PostAsync("/v1/predict", ImageContent(File.ReadAllBytes(tiny.Images[0]), "image/png"));
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(20))
        {
            var health = JsonDocument.Parse(await http.GetStringAsync("/healthz")).RootElement;
            if (health.GetProperty("queueDepth").GetInt32() == 1)
                break;
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "the request never reached the queue");
        }

        var (code, output, stderr) = server.Terminate();
        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TinyModel.AssertClose(TinyModel.PredictLogits(["--onnx", tiny.Onnx], [tiny.Images[0]])[0],
            Logits(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement), "drained answer");
        Assert.True(code == 0, stderr);
        Assert.Contains("stopped", output);
    }

    [Fact]
    public async Task ServingWeightsAnswersAsPredictDoesAndEmbedsAsTheModel()
    {
        using var tiny = new TinyModel();
        var expected = TinyModel.PredictLogits(tiny.WeightsOptions, tiny.Images);
        foreach (var engine in new[] { "torchsharp", "auto" })
        {
            using var server = ServerProcess.Start([.. tiny.WeightsOptions, "--engine", engine, "--max-batch", "4"]);
            using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
            var (errors, answers) = await Load(http, tiny.Images, clients: 4, requests: 10);
            Assert.Equal(0, errors);
            foreach (var (image, answer) in answers)
                TinyModel.AssertClose(expected[image], Logits(answer), $"{engine}: image {image}");

            var card = JsonDocument.Parse(await http.GetStringAsync("/v1/model")).RootElement;
            Assert.Contains("/v1/embed", card.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));
            using var response = await http.PostAsync("/v1/embed", ImageContent(File.ReadAllBytes(tiny.Images[1]), "image/jpeg"));
            var embedding = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("embedding")
                .EnumerateArray().Select(v => v.GetSingle()).ToArray();
            TinyModel.AssertClose(Embed(tiny, tiny.Images[1]), embedding, $"{engine}: embedding");
            Assert.Equal(0, server.Terminate().Code);
        }
    }

    private static float[] Embed(TinyModel tiny, string image)
    {
        using var model = new ResNet(ResNetSpecJson.Load(tiny.Spec));
        WeightLoader.LoadFile(model, tiny.Weights);
        model.eval();
        var input = ImagePreprocessing.ForCrop(24).Prepare(ImageDecoder.Decode(image), 3);
        using var _ = no_grad();
        using var x = tensor(input, [1, 3, 24, 24]);
        using var pooled = model.Embed(x);
        return pooled.data<float>().ToArray();
    }

    [Fact]
    public void BadCommandLinesAreUsageErrorsNamingTheOption()
    {
        using var tiny = new TinyModel();
        using var occupied = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        int port = ((IPEndPoint)occupied.LocalEndpoint).Port;
        var cases = new (string[] Args, string Expected)[]
        {
            (["serve"], "--weights FILE is required"),
            (["serve", "--onnx", tiny.Onnx, "--port", "70000"], "--port must be between 0 and 65535"),
            (["serve", "--onnx", tiny.Onnx, "--max-batch", "0"], "--max-batch must be 1 or more"),
            (["serve", "--onnx", tiny.Onnx, "--max-queue", "0"], "--max-queue must be 1 or more"),
            (["serve", "--onnx", tiny.Onnx, "--host", "localhost:80"], "--host 'localhost:80' is not an IP address"),
            (["serve", "--onnx", tiny.Onnx, "--weights", tiny.Weights], "drop --weights"),
            (["serve", "--onnx", tiny.Folder.File("missing.onnx")], "missing.onnx"),
            (["serve", "--onnx", tiny.Onnx, "--port", port.ToString()], $"--port {port}: cannot listen there"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, _, error) = SummaryCommandTests.Run(args);
            Assert.True(code == CliApp.UsageError, $"{string.Join(' ', args)}: exit {code}, {error}");
            Assert.Contains(expected, error);
            Assert.DoesNotContain("   at ", error);
        }
    }
}
