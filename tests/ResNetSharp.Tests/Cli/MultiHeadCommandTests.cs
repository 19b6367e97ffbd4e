using System.Globalization;
using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Cli;

/// <summary>
/// The multi-task CLI contract on a generated set whose targets are computable from the pixels: each image is
/// one disc whose radius (regression) and colour (classification) are the labels. train --manifest --heads,
/// eval --manifest --json, predict --json (TorchSharp and ONNX Runtime), export --format onnx.
/// </summary>
public class MultiHeadCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    private static readonly string[] Colours = ["red", "green", "blue"];

    /// <summary>Writes <paramref name="count"/> disc images and a manifest; every seventh radius and every eleventh colour is left empty.</summary>
    internal static (string Manifest, double RadiusStd) WriteDiscs(TemporaryFolder folder, string split, int count, int seed)
    {
        var random = new Random(seed);
        var lines = new List<string> { "path,radius,colour" };
        var radii = new List<double>();
        for (int i = 0; i < count; i++)
        {
            int radius = random.Next(3, 10), colour = random.Next(3);
            int cx = random.Next(radius, 24 - radius), cy = random.Next(radius, 24 - radius);
            using var bitmap = new SKBitmap(new SKImageInfo(24, 24, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                {
                    bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
                    byte on = (byte)(inside ? 230 : 20);
                    bitmap.SetPixel(x, y, new SKColor(colour == 0 ? on : (byte)20, colour == 1 ? on : (byte)20, colour == 2 ? on : (byte)20));
                }
            string name = $"{split}/{i}.png";
            Directory.CreateDirectory(folder.File(split));
            using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(folder.File(name), data.ToArray());
            bool noRadius = split == "train" && i % 7 == 3, noColour = split == "train" && i % 11 == 5;
            lines.Add($"{name},{(noRadius ? "" : radius.ToString(CultureInfo.InvariantCulture))},{(noColour ? "" : Colours[colour])}");
            radii.Add(radius);
        }
        string manifest = folder.File($"{split}.csv");
        File.WriteAllLines(manifest, lines);
        double mean = radii.Average();
        return (manifest, Math.Sqrt(radii.Sum(r => (r - mean) * (r - mean)) / radii.Count));
    }

    [Fact]
    public void TwoHeadsLearnFromAManifestAndEvalPredictAndOnnxReturnThemByName()
    {
        using var folder = new TemporaryFolder();
        var (train, _) = WriteDiscs(folder, "train", 192, 1);
        var (val, radiusStd) = WriteDiscs(folder, "val", 48, 2);
        File.WriteAllText(folder.File("tiny.json"), """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3}""");
        string run = folder.File("run");
        var (code, output, error) = Run("train", "--manifest", train, "--val-manifest", val, "--heads", "radius=regression,colour=classification",
            "--model", folder.File("tiny.json"), "--image-size", "24", "--in-memory-images", "--epochs", "4", "--batch-size", "16", "--lr", "0.05",
            "--erasing", "0", "--device", "cpu", "-o", run, "--quiet");
        Assert.True(code == 0, error + output);
        Assert.Contains("radius mae", output);

        // eval --manifest --json: every head's metrics by name.
        var (eCode, eOutput, eError) = Run("eval", "--weights", run, "--manifest", val, "--device", "cpu", "--json");
        Assert.True(eCode == 0, eError);
        var heads = JsonDocument.Parse(eOutput).RootElement.GetProperty("heads");
        double mae = heads.GetProperty("radius").GetProperty("mae").GetDouble();
        double top1 = heads.GetProperty("colour").GetProperty("top1").GetDouble();
        Assert.True(heads.GetProperty("radius").GetProperty("rmse").GetDouble() >= mae);
        Assert.True(mae < 0.5 * radiusStd, $"radius MAE {mae:F3} px against a spread of {radiusStd:F3} px");
        Assert.True(top1 > 0.9, $"colour top-1 {top1:P1} (chance 33%)");

        // predict --json on an image: outputs by head, the radius in pixels, top classes for the colour; ONNX Runtime agrees.
        string image = folder.File("val/0.png");
        var outputs = PredictExportAndCompareOnnx(folder, run, image, ["radius", "colour"]);
        Assert.Equal(1, outputs.GetProperty("radius")[0].GetArrayLength());
        Assert.Equal(3, outputs.GetProperty("colour")[0].GetArrayLength());
        Assert.InRange(outputs.GetProperty("radius")[0][0].GetDouble(), 1, 12);

        // predict --json on a .npy of two preprocessed images: a row per image under every head, the first the image's own.
        var card = ModelCard.FromMetadata(SafetensorsFile.ReadHeader(Path.Combine(run, "last.safetensors")).Metadata, run)!;
        string npy = folder.File("two.npy");
        using (var pixels = stack([.. new[] { image, folder.File("val/1.png") }.Select(p => card.Preprocessing.ResizeAndCrop(ImageDecoder.Decode(p)).ToTensor())]))
        using (var normalized = card.Preprocessing.Normalize(pixels, CPU))
            NpyFile.WriteFloat32Array(npy, normalized.data<float>().ToArray(), normalized.shape);
        var (nCode, nOutput, nError) = Run("predict", "--weights", run, "--device", "cpu", "--json", npy);
        Assert.True(nCode == 0, nError);
        var rows = JsonDocument.Parse(nOutput).RootElement;
        Assert.Equal([npy + "[0]", npy + "[1]"], rows.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()));
        foreach (var head in new[] { "radius", "colour" })
        {
            Assert.Equal(2, rows.GetProperty("outputs").GetProperty(head).GetArrayLength());
            AssertClose(Values(outputs, head, 0), Values(rows.GetProperty("outputs"), head, 0), 1e-5f, $".npy row 0, {head}");
        }
    }

    /// <summary>
    /// predict --json on <paramref name="image"/>, export --format onnx, then predict --onnx --json: the ONNX model has one
    /// output per head, named after it (then the embedding), and ONNX Runtime reproduces each head's outputs to 1e-4 of
    /// their largest magnitude. Returns TorchSharp's outputs.
    /// </summary>
    private static JsonElement PredictExportAndCompareOnnx(TemporaryFolder folder, string run, string image, string[] heads)
    {
        var (pCode, pOutput, pError) = Run("predict", "--weights", run, "--device", "cpu", "--json", image);
        Assert.True(pCode == 0, pError);
        var outputs = JsonDocument.Parse(pOutput).RootElement.GetProperty("outputs").Clone();
        string onnx = folder.File("model.onnx");
        var (xCode, _, xError) = Run("export", "--weights", run, "--format", "onnx", "-o", onnx, "--device", "cpu");
        Assert.True(xCode == 0, xError);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx))
            Assert.Equal([.. heads, "embedding"], session.OutputMetadata.Keys);
        var (oCode, oOutput, oError) = Run("predict", "--onnx", onnx, "--json", image);
        Assert.True(oCode == 0, oError);
        var onnxOutputs = JsonDocument.Parse(oOutput).RootElement.GetProperty("outputs");
        foreach (var head in heads)
            AssertClose(Values(outputs, head, 0), Values(onnxOutputs, head, 0), 1e-4f, $"ONNX Runtime, {head}");
        return outputs;
    }

    private static float[] Values(JsonElement outputs, string head, int row) =>
        outputs.GetProperty(head)[row].EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, float relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs);
        Assert.True(expected.Zip(actual).All(p => MathF.Abs(p.First - p.Second) <= relative * scale), $"{what}: {string.Join(" ", expected)} vs {string.Join(" ", actual)}");
    }

    /// <summary>Fashion-MNIST's item and its group (tops, bottoms, dresses, footwear, bags), from the real files.</summary>
    private static readonly string[] Groups = ["tops", "bottoms", "tops", "dresses", "tops", "footwear", "tops", "footwear", "bags", "footwear"];

    private static string WriteFashion(TemporaryFolder folder, ResNetSharp.Data.DatasetSplit split, int count)
    {
        using var data = ResNetSharp.Data.DatasetCatalog.Load("fashion-mnist", split);
        var pixels = data.Images.narrow(0, 0, count).contiguous().data<byte>().ToArray();
        var labels = data.Labels.narrow(0, 0, count).data<long>().ToArray();
        string name = split.ToString().ToLowerInvariant();
        var lines = new List<string> { "path,item,group" };
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(pixels, i * 784, bitmap.GetPixels(), 784);
            Directory.CreateDirectory(folder.File(name));
            using (var png = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(folder.File($"{name}/{i}.png"), png.ToArray());
            lines.Add($"{name}/{i}.png,\"{data.ClassNames[(int)labels[i]]}\",{Groups[labels[i]]}");
        }
        File.WriteAllLines(folder.File($"{name}.csv"), lines);
        return folder.File($"{name}.csv");
    }

    [Fact]
    public void FashionMnistTrainsAsItemAndGroupHeads()
    {
        using var folder = new TemporaryFolder();
        string train = WriteFashion(folder, ResNetSharp.Data.DatasetSplit.Train, 1200);
        string val = WriteFashion(folder, ResNetSharp.Data.DatasetSplit.Test, 300);
        File.WriteAllText(folder.File("tiny.json"), """{"block": "basic", "depths": [1, 1], "widths": [16, 32], "stemChannels": 16, "stem": "cifar", "numClasses": 10}""");
        string run = folder.File("run");
        var (code, output, error) = Run("train", "--manifest", train, "--val-manifest", val, "--heads", "item=classification,group=classification",
            "--model", folder.File("tiny.json"), "--image-size", "28", "--in-memory-images", "--epochs", "3", "--batch-size", "32", "--lr", "0.05",
            "--device", "cpu", "-o", run, "--quiet");
        Assert.True(code == 0, error + output);
        var (eCode, eOutput, eError) = Run("eval", "--weights", run, "--manifest", val, "--device", "cpu", "--json");
        Assert.True(eCode == 0, eError);
        var heads = JsonDocument.Parse(eOutput).RootElement.GetProperty("heads");
        double item = heads.GetProperty("item").GetProperty("top1").GetDouble(), group = heads.GetProperty("group").GetProperty("top1").GetDouble();
        Assert.True(item > 0.5, $"item top-1 {item:P1} (chance 10%)");
        Assert.True(group > 0.7, $"group top-1 {group:P1} (chance 40% for the largest group)");
        Assert.True(File.Exists(Path.Combine(run, "head-item.png")) && File.Exists(Path.Combine(run, "head-group.png")));

        // The real images through predict, the ONNX export and ONNX Runtime: each head's outputs agree.
        var outputs = PredictExportAndCompareOnnx(folder, run, folder.File("test/0.png"), ["item", "group"]);
        Assert.Equal(10, outputs.GetProperty("item")[0].GetArrayLength());
        Assert.Equal(5, outputs.GetProperty("group")[0].GetArrayLength());
    }

    [Fact]
    public void FinetuneFromSingleTaskWeightsLoadsTheBackboneAndMakesNewHeads()
    {
        using var folder = new TemporaryFolder();
        var (train, _) = WriteDiscs(folder, "train", 32, 3);
        var (val, _) = WriteDiscs(folder, "val", 8, 4);
        File.WriteAllText(folder.File("tiny.json"), """{"block": "basic", "depths": [1], "widths": [8], "stemChannels": 8, "stem": "cifar", "numClasses": 10}""");
        string weights = folder.File("single.safetensors");
        using (var single = new ResNetSharp.Models.ResNet(ResNetSharp.Models.ResNetSpecJson.Load(folder.File("tiny.json"))))
            ResNetSharp.Interop.SafetensorsFile.Save(weights, ResNetSharp.Models.StateDictOrder.Entries(single));
        string run = folder.File("run");
        var (code, output, error) = Run("finetune", "--weights", weights, "--model", folder.File("tiny.json"), "--manifest", train, "--val-manifest", val,
            "--heads", "radius=regression,colour=classification", "--freeze", "backbone", "--image-size", "24", "--in-memory-images",
            "--epochs", "1", "--batch-size", "8", "--device", "cpu", "-o", run, "--quiet");
        Assert.True(code == 0, error + output);
        Assert.Contains("new head(s): radius, colour", output);
        Assert.Contains("classifier replaced: fc.weight [10x8]", output);
        var before = ResNetSharp.Interop.SafetensorsFile.Load(weights).Tensors.ToDictionary(t => t.Name, t => t.Tensor.bytes.ToArray());
        var after = ResNetSharp.Interop.SafetensorsFile.Load(Path.Combine(run, "last.safetensors")).Tensors.ToDictionary(t => t.Name, t => t.Tensor.bytes.ToArray());
        Assert.True(before["layer1.0.conv1.weight"].AsSpan().SequenceEqual(after["layer1.0.conv1.weight"]), "the frozen backbone is the file's");
        Assert.Contains("radius.fc.weight", after.Keys);
        Assert.DoesNotContain("fc.weight", after.Keys);
    }

    [Fact]
    public void ManifestProblemsNameTheFileTheRowAndTheColumn()
    {
        using var folder = new TemporaryFolder();
        var (train, _) = WriteDiscs(folder, "train", 4, 1);
        var (val, _) = WriteDiscs(folder, "val", 2, 2);
        File.AppendAllLines(val, ["val/0.png,4,purple"]);
        var (code, _, error) = Run("train", "--manifest", train, "--val-manifest", val, "--heads", "radius=regression,colour=classification",
            "--device", "cpu", "-o", folder.File("run"));
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("row 4, column 'colour': 'purple' is not one of the classes", error);
        Assert.Single(error.Trim().Split('\n'));

        var (headsCode, _, headsError) = Run("train", "--manifest", train, "--val-manifest", val, "--heads", "radius=regresion", "-o", folder.File("r"));
        Assert.Equal(CliApp.UsageError, headsCode);
        Assert.Contains("--heads is 'radius=regresion'", headsError);
    }
}
