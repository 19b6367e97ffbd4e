using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// A small 3-class ResNet with seeded weights and BatchNorm statistics, as .pth and as ONNX (24x24
/// training size), class names, and test images of several formats and odd sizes; in a temp folder.
/// </summary>
internal sealed class TinyModel : IDisposable
{
    public static readonly string[] ClassNames = ["ant", "bee", "cow"];

    public TemporaryFolder Folder { get; } = new();
    public string Spec => Folder.File("tiny.json");
    public string Weights => Folder.File("tiny.pth");
    public string Onnx => Folder.File("tiny.onnx");
    public string Names => Folder.File("names.txt");

    /// <summary>PNG, JPEG and WebP images of different sizes.</summary>
    public IReadOnlyList<string> Images { get; }

    public TinyModel()
    {
        File.WriteAllText(Spec, """
            {"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3}
            """);
        File.WriteAllLines(Names, ClassNames);
        manual_seed(11);
        using (var model = new ResNet(ResNetSpecJson.Load(Spec)))
        {
            using (no_grad())
                foreach (var (name, tensor) in StateDictOrder.Entries(model))
                    if (name.EndsWith("running_mean") || name.EndsWith(".bias"))
                        tensor.normal_(0, 0.2);
                    else if (name.EndsWith("running_var"))
                        tensor.uniform_(0.5, 1.5);
            model.eval();
            PthWriter.Save(Weights, StateDictOrder.Entries(model));
            OnnxExporter.Export(model, Onnx, new OnnxExportOptions(24, 24, ClassNames: ClassNames, Preprocessing: ImagePreprocessing.ForCrop(24)));
        }
        Images =
        [
            TestImages.Write(Folder.File("a.png"), 37, 51, seed: 5),
            TestImages.Write(Folder.File("b.jpg"), 64, 29, seed: 6, SKEncodedImageFormat.Jpeg),
            TestImages.Write(Folder.File("c.png"), 24, 24, seed: 7),
            TestImages.Write(Folder.File("d.webp"), 33, 97, seed: 8, SKEncodedImageFormat.Webp),
        ];
    }

    /// <summary>The options that make <c>resnet predict</c> or <c>serve</c> load the .pth as this model.</summary>
    public string[] WeightsOptions => ["--model", Spec, "--weights", Weights, "--image-size", "24", "--class-names", Names, "--device", "cpu"];

    /// <summary>Logits from single-image <c>resnet predict --json</c> for each of <paramref name="images"/>, with the given model options.</summary>
    public static float[][] PredictLogits(string[] modelOptions, IReadOnlyList<string> images)
    {
        var (code, output, error) = SummaryCommandTests.Run(["predict", .. modelOptions, "--json", .. images]);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("logits").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
    }

    /// <summary>Asserts every value is within 1e-4 of the expected one (relative for values above 1).</summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    public void Dispose() => Folder.Dispose();
}
