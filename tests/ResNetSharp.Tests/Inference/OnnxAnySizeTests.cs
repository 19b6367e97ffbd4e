using System.Text.Json;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Serving;

namespace ResNetSharp.Tests.Inference;

/// <summary>
/// Exported graphs take any input size, as torch.onnx.export with dynamic_axes does (issue #20 item 10),
/// and one <see cref="OnnxClassifier"/> serves many threads at once.
/// </summary>
public class OnnxAnySizeTests
{
    private static readonly string[] OddSizes = ["193x257", "33x97", "225x31"];

    [Fact]
    public void OnnxRuntimeReproducesTorchvisionAtOddSizesAndPredictTakesThem()
    {
        using var folder = new TemporaryFolder();
        ReferencePython.Run("torchvision_logits.py", ["resnet18", folder.Path, "5", .. OddSizes]);
        string onnx = folder.File("resnet18.onnx");
        using (var model = ModelCatalog.Create("resnet18"))
        {
            Assert.True(WeightLoader.LoadFile(model, folder.File("resnet18.pth")).IsExact);
            model.eval();
            OnnxExporter.Export(model, onnx, new OnnxExportOptions(224, 224));
        }
        var (io, _) = SafetensorsFile.Load(folder.File("resnet18.io.safetensors"));
        float[] Values(string name) => io.Single(t => t.Name == name).Tensor.data<float>().ToArray();

        using var classifier = OnnxClassifier.Open(onnx);
        Assert.Equal(224, classifier.Preprocessing.CropTo);
        foreach (string size in OddSizes)
        {
            var (height, width) = (int.Parse(size.Split('x')[0]), int.Parse(size.Split('x')[1]));
            var expected = Values($"logits_{size}");
            var actual = classifier.Run(Values($"input_{size}"), 1, height, width)[0];
            AssertRelativelyClose(expected, actual, size);

            string npy = folder.File($"input_{size}.npy");
            NpyFile.WriteFloat32Array(npy, Values($"input_{size}"), [1, 3, height, width]);
            var (code, output, error) = SummaryCommandTests.Run("predict", "--onnx", onnx, "--json", npy);
            Assert.True(code == 0, error);
            var predicted = JsonDocument.Parse(output).RootElement.GetProperty("logits")[0].EnumerateArray().Select(v => v.GetSingle()).ToArray();
            AssertRelativelyClose(expected, predicted, $"predict --onnx at {size}");
        }
    }

    private static void AssertRelativelyClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs);
        float error = expected.Zip(actual).Max(p => MathF.Abs(p.First - p.Second)) / scale;
        Assert.True(error <= 1e-4, $"{what}: relative error {error:E2}");
    }

    [Fact]
    public void OneClassifierServesManyThreadsAtOnceAndImageSizeIsAnOptionNotAState()
    {
        using var tiny = new TinyModel();
        using var classifier = OnnxClassifier.Open(tiny.Onnx);
        using var larger = OnnxClassifier.Open(tiny.Onnx, imageSize: 40);
        Assert.Equal(24, classifier.Preprocessing.CropTo);
        Assert.Equal(40, larger.Preprocessing.CropTo);
        Assert.Equal(classifier.Preprocessing.Mean, larger.Preprocessing.Mean);

        var images = tiny.Images.Select(p => ResNetSharp.Imaging.ImageDecoder.Decode(p)).ToList();
        var alone = images.Select(i => (Small: classifier.Classify([i])[0], Large: larger.Classify([i])[0])).ToList();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, call =>
        {
            int image = call % images.Count;
            var (model, expected) = call % 2 == 0 ? (classifier, alone[image].Small) : (larger, alone[image].Large);
            var prediction = model.Predict(new ImageBatch(model.Preprocessing.Prepare(images[image], 3), 1, 3, model.Preprocessing.CropTo, model.Preprocessing.CropTo))[0];
            var actual = prediction.Outputs["logits"];
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-6 * Math.Max(1, Math.Abs(p.First)), $"{p.First} vs {p.Second}"));
            Assert.Equal(TinyModel.ClassNames[Array.IndexOf(expected, expected.Max())], prediction.Top(1)[0].Name);
        });
        Assert.NotEqual(alone[0].Small, alone[0].Large);
    }
}
