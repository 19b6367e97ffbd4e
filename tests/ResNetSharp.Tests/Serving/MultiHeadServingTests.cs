using System.Net.Http.Headers;
using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Serving;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// A network with two heads (age: regression in years, gender: classification) served by <c>resnet serve
/// --weights</c> (exported in memory, ONNX Runtime) and in this process with TorchSharp: every head's answer
/// equals <c>resnet predict --json</c>'s, top-k comes per classification head, and the embedding is served.
/// </summary>
public class MultiHeadServingTests
{
    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    /// <summary>Checks a /v1/predict answer against <c>resnet predict --json</c>'s row <paramref name="row"/>.</summary>
    private static void AssertAnswerIsPredicts(JsonElement answer, JsonElement predicted, int row, string what)
    {
        var outputs = answer.GetProperty("outputs");
        Assert.Equal(["age", "gender"], outputs.EnumerateObject().Select(p => p.Name));
        foreach (var head in new[] { "age", "gender" })
            TinyModel.AssertClose(Floats(predicted.GetProperty("outputs").GetProperty(head)[row]), Floats(outputs.GetProperty(head)), $"{what}: {head}");
        var age = outputs.GetProperty("age")[0].GetSingle();
        Assert.True(age is > -100 and < 200, $"{what}: age {age} is not in years around the training mean");

        var top = answer.GetProperty("top");
        Assert.Equal(top.GetRawText(), answer.GetProperty("topByOutput").GetProperty("gender").GetRawText());
        Assert.Equal(["gender"], answer.GetProperty("topByOutput").EnumerateObject().Select(p => p.Name));
        Assert.Equal(predicted.GetProperty("top").GetProperty("gender")[row].EnumerateArray().Select(c => c.GetProperty("name").GetString()),
            top.EnumerateArray().Select(c => c.GetProperty("label").GetString()));
    }

    private static async Task<JsonElement> Post(HttpClient http, string path, string image)
    {
        using var content = new ByteArrayContent(File.ReadAllBytes(image)) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } };
        using var response = await http.PostAsync(path, content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task AssertServes(HttpClient http, TwoHeadWeights weights, JsonElement predicted, string engine)
    {
        for (int i = 0; i < weights.Images.Count; i++)
            AssertAnswerIsPredicts(await Post(http, "/v1/predict?k=2", weights.Images[i]), predicted, i, $"{engine}, image {i}");

        var card = JsonDocument.Parse(await http.GetStringAsync("/v1/model")).RootElement;
        Assert.StartsWith(engine, card.GetProperty("engine").GetString());
        Assert.Equal([("age", "regression"), ("gender", "classification"), ("embedding", "embedding")],
            card.GetProperty("outputs").EnumerateArray().Select(o => (o.GetProperty("name").GetString(), o.GetProperty("kind").GetString())));
        Assert.Equal(TwoHeadWeights.Genders, card.GetProperty("outputs")[1].GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(["/v1/predict", "/v1/embed"], card.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));
        var embedded = await Post(http, "/v1/embed", weights.Images[0]);
        Assert.Equal(16, embedded.GetProperty("dimensions").GetInt32());
        Assert.Equal(16, embedded.GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task BothHeadsAnswerAsPredictDoesWithOnnxRuntimeAndWithTorchSharp()
    {
        using var weights = new TwoHeadWeights();
        var (code, output, error) = SummaryCommandTests.Run(["predict", "--weights", weights.Weights, "--device", "cpu", "--json", "-k", "2", .. weights.Images]);
        Assert.True(code == 0, error);
        var predicted = JsonDocument.Parse(output).RootElement;

        using (var server = ServerProcess.Start("--weights", weights.Weights, "--device", "cpu", "--max-batch", "4"))
        {
            using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
            await AssertServes(http, weights, predicted, "onnxruntime");
            var (exit, _, stderr) = server.Terminate();
            Assert.True(exit == 0, stderr);
        }

        using var model = new TorchImageModel(WeightsNetwork.Load(weights.Weights), CPU, "tiny-heads", ImagePreprocessing.ForCrop(24));
        await using var local = ModelServer.Create(model, new BatchingOptions(MaxBatchSize: 4), ServingOptions.Loopback(0));
        await local.StartAsync();
        using var client = new HttpClient { BaseAddress = local.Url };
        await AssertServes(client, weights, predicted, "torchsharp");
    }
}
