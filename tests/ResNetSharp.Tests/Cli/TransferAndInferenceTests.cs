using System.Text.Json;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Tests.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Cli;

public class TransferAndInferenceTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    private sealed class Fixture : IDisposable
    {
        public TemporaryFolder Folder { get; } = new();
        public string Spec => Folder.File("tiny.json");
        public string Pretrained => Folder.File("pretrained.pth");
        public string Images => Folder.File("pets");

        public Fixture()
        {
            File.WriteAllText(Spec, """
                {"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 10}
                """);
            using var model = new ResNet(ResNetSpecJson.Load(Spec));
            PthWriter.Save(Pretrained, StateDictOrder.Entries(model));
            int seed = 0;
            foreach (var split in new[] { "train", "val" })
                foreach (var animal in new[] { "cat", "dog" })
                    for (int i = 0; i < (split == "train" ? 8 : 2); i++)
                        TestImages.Write(Path.Combine(Images, split, animal, $"{i}.png"), 20 + i, 18, seed++);
        }

        public void Dispose() => Folder.Dispose();
    }

    [Fact]
    public void FinetuneReplacesTheHeadKeepsAFrozenBackboneAndPredictAndEmbedUseTheResult()
    {
        using var fixture = new Fixture();
        string run = fixture.Folder.File("run");
        var (code, output, error) = Run("finetune", "--weights", fixture.Pretrained, "--model", fixture.Spec, "--dataset", fixture.Images,
            "--image-size", "16", "--epochs", "2", "--batch-size", "4", "--freeze", "backbone", "--device", "cpu", "-o", run);
        Assert.True(code == 0, error + output);
        Assert.Contains("classifier replaced", output);
        Assert.Contains("frozen: stem, layer1, layer2", output);

        string best = Path.Combine(run, "best.safetensors");
        var (pretrained, _) = WeightFile.Load(fixture.Pretrained);
        var (tuned, metadata) = WeightFile.Load(best);
        Tensor Get(IReadOnlyList<(string Name, Tensor Tensor)> set, string name) => set.Single(t => t.Name == name).Tensor;
        Assert.True(Get(pretrained, "layer2.0.conv2.weight").eq(Get(tuned, "layer2.0.conv2.weight")).all().item<bool>());
        Assert.Equal(new long[] { 2, 16 }, Get(tuned, "fc.weight").shape);
        Assert.Contains("\"cat\"", metadata["class_names"]);

        // predict: an image and the same image preprocessed into a .npy give the same logits.
        string image = Path.Combine(fixture.Images, "val", "dog", "1.png");
        var (pCode, pOutput, pError) = Run("predict", "--model", fixture.Spec, "--weights", best, "--device", "cpu", "--json", image);
        Assert.True(pCode == 0, pError);
        var report = JsonDocument.Parse(pOutput).RootElement;
        var logits = report.GetProperty("logits")[0].EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(2, logits.Length);
        var top = report.GetProperty("top")[0];
        Assert.Contains(top[0].GetProperty("name").GetString(), new[] { "cat", "dog" });
        Assert.Equal(1.0, top.EnumerateArray().Sum(p => p.GetProperty("probability").GetDouble()), 6);

        var card = ModelCard.FromMetadata(metadata, best)!;
        using (var pixels = card.Preprocessing.ResizeAndCrop(ResNetSharp.Imaging.ImageDecoder.Decode(image)).ToTensor().unsqueeze(0))
        using (var normalized = card.Preprocessing.Normalize(pixels, CPU))
            NpyFile.WriteFloat32Array(fixture.Folder.File("dog.npy"), normalized.data<float>().ToArray(), normalized.shape);
        var (nCode, nOutput, nError) = Run("predict", "--model", fixture.Spec, "--weights", best, "--device", "cpu", "--json", fixture.Folder.File("dog.npy"));
        Assert.True(nCode == 0, nError);
        var npyLogits = JsonDocument.Parse(nOutput).RootElement.GetProperty("logits")[0].EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(logits, npyLogits);

        // The run's weights name their model, and an export to safetensors keeps that and the card: no --model needed.
        string exported = fixture.Folder.File("exported.safetensors");
        var (xCode, _, xError) = Run("export", "--weights", best, "--format", "safetensors", "-o", exported, "--device", "cpu");
        Assert.True(xCode == 0, xError);
        var exportedCard = ModelCard.FromMetadata(WeightFile.ReadMetadata(exported), exported)!;
        Assert.Equal(["cat", "dog"], exportedCard.ClassNames);
        Assert.Equal(card.Preprocessing.ToJson(), exportedCard.Preprocessing.ToJson());
        var (eCodeX, eOutputX, eErrorX) = Run("predict", "--weights", exported, "--device", "cpu", "--json", image);
        Assert.True(eCodeX == 0, eErrorX);
        Assert.Equal(logits, JsonDocument.Parse(eOutputX).RootElement.GetProperty("logits")[0].EnumerateArray().Select(e => e.GetSingle()).ToArray());

        // embed: one row per image, in the order of the paths file.
        string features = fixture.Folder.File("features.npy");
        var (eCode, eOutput, eError) = Run("embed", "--model", fixture.Spec, "--weights", best, "--device", "cpu", "-o", features,
            Path.Combine(fixture.Images, "val"));
        Assert.True(eCode == 0, eError);
        var paths = PathsFile.Read(fixture.Folder.File("features.paths.jsonl"));
        Assert.Equal(4, paths.Count);
        Assert.EndsWith(Path.Combine("cat", "0.png"), paths[0]);
        var (matrix, shape) = NpyFile.ReadFloat32(features);
        Assert.Equal(new long[] { 4, 16 }, shape);
        Assert.Contains("4 x 16", eOutput);
        Assert.True(matrix.All(v => v >= 0), "pooled ReLU features are non-negative");
    }

    [Fact]
    public void FinetuneTakesTheModelTheWeightsName()
    {
        using var fixture = new Fixture();
        string weights = fixture.Folder.File("cifar-stem.safetensors");
        using (var trained = ModelCatalog.Create("resnet18_cifar", numClasses: 5))
            SafetensorsFile.Save(weights, StateDictOrder.Entries(trained),
                WeightsModel.Describe(new Dictionary<string, string> { ["format"] = "pt" }, "resnet18_cifar", trained.Spec));
        var (code, output, error) = Run("finetune", "--weights", weights, "--dataset", fixture.Images, "--image-size", "16",
            "--epochs", "1", "--batch-size", "8", "--device", "cpu", "-o", fixture.Folder.File("run"), "--quiet");
        Assert.True(code == 0, error + output);
        Assert.Contains("resnet18_cifar", output);
        Assert.Contains("classifier replaced", output);
    }

    [Fact]
    public void FinetuneRefusesABackboneThatDoesNotMatch()
    {
        using var fixture = new Fixture();
        using (var other = ModelCatalog.Create("resnet18", numClasses: 3))
            SafetensorsFile.Save(fixture.Folder.File("other.safetensors"), StateDictOrder.Entries(other));
        var (code, _, error) = Run("finetune", "--weights", fixture.Folder.File("other.safetensors"), "--model", fixture.Spec,
            "--dataset", fixture.Images, "--image-size", "16", "--epochs", "1", "--device", "cpu", "-o", fixture.Folder.File("r"));
        Assert.Equal(2, code);
        Assert.Contains("nothing was loaded", error);
        Assert.Contains("shape mismatches", error);
    }

    [Fact]
    public void PredictRejectsWrongNpyInputsByName()
    {
        using var fixture = new Fixture();
        string npy = fixture.Folder.File("wrong.npy");
        NpyFile.WriteFloat32(npy, new float[6], 2, 3);
        var (code, _, error) = Run("predict", "--model", fixture.Spec, "--weights", fixture.Pretrained, "--device", "cpu", npy);
        Assert.True(code == 2, error);
        Assert.Contains("wrong.npy", error);
        Assert.Contains("expected (N, 3, H, W)", error);
    }

    [Fact]
    public void WeightsThatNameNoModelAskForOne()
    {
        using var fixture = new Fixture();
        var (code, _, error) = Run("predict", "--weights", fixture.Pretrained, "--device", "cpu", "a.png");
        Assert.True(code == 2, error);
        Assert.Contains("pretrained.pth does not say which model it holds", error);
        Assert.Contains("give --model NAME or --spec FILE", error);
    }

    [Fact]
    public void ExportedOnnxGivesTheLogitsPredictGives()
    {
        using var fixture = new Fixture();
        string onnx = fixture.Folder.File("tiny.onnx");
        var (code, output, error) = Run("export", "--model", fixture.Spec, "--weights", fixture.Pretrained, "--image-size", "16",
            "--format", "onnx", "-o", onnx, "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("tiny.onnx", output);
        var (wrongCode, _, wrongError) = Run("eval", "--weights", onnx, "--device", "cpu");
        Assert.True(wrongCode == 2, wrongError);
        Assert.Contains("tiny.onnx is an ONNX model, not a weights file", wrongError);

        var random = new Random(1);
        var input = Enumerable.Range(0, 2 * 3 * 16 * 16).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        string npy = fixture.Folder.File("x.npy");
        NpyFile.WriteFloat32Array(npy, input, [2, 3, 16, 16]);
        var (pCode, pOutput, pError) = Run("predict", "--model", fixture.Spec, "--weights", fixture.Pretrained, "--device", "cpu", "--json", npy);
        Assert.True(pCode == 0, pError);
        var expected = JsonDocument.Parse(pOutput).RootElement.GetProperty("logits").EnumerateArray()
            .SelectMany(row => row.EnumerateArray().Select(e => e.GetSingle())).ToArray();

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        var tensor = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(input, [2, 3, 16, 16]);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("input", tensor)]);
        Assert.Equal(["logits", "embedding"], results.Select(r => r.Name)); // a reader of the first output still gets the logits
        var actual = results[0].AsEnumerable<float>().ToArray();
        float scale = expected.Max(MathF.Abs);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual).All(p => MathF.Abs(p.First - p.Second) <= 1e-4f * scale));
    }
}
