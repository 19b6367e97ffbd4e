// Trains a tiny ResNet for two steps on Fashion-MNIST with the ResNetSharp package, exports it to ONNX and
// checks that ResNetSharp.Inference (ONNX Runtime) gives the same logits as TorchSharp. Exit 0 when all holds.
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

string work = Directory.CreateTempSubdirectory("resnetsharp-consumer-").FullName;
try
{
    string spec = Path.Combine(work, "tiny.json");
    File.WriteAllText(spec, ResNetSpecJson.ToJson(ModelCatalog.Get("resnet18_cifar") with { Widths = [8, 8, 8, 8], StemChannels = 8 }));
    var config = new TrainingConfig
    {
        Model = spec, Schedule = new() { Epochs = 1 }, Optimization = new() { BatchSize = 32 }, Data = new() { TrainLimit = 64, TestLimit = 64 },
    };
    string run = Path.Combine(work, "run");
    var outcome = new Trainer(config, run, CPU, dataDir: null, new TrainingObserver()).Run(resume: false, force: false, CancellationToken.None);
    Console.WriteLine($"consumer: trained {outcome.Progress.GlobalStep} steps; test top-1 {outcome.LastEvaluation?.Classification?.Top1:P1} on 64 images");
    if (!outcome.Completed || outcome.Progress.GlobalStep != 2)
        return Fail("expected a completed run of two steps");

    using var model = WeightsModel.Load(Path.Combine(run, "best.safetensors"));
    model.eval();
    string onnx = Path.Combine(work, "tiny.onnx");
    OnnxExporter.Export(model, onnx, new OnnxExportOptions(28, 28));

    var pixels = new float[2 * 28 * 28];
    var random = new Random(1);
    for (int i = 0; i < pixels.Length; i++)
        pixels[i] = (float)random.NextDouble();
    float[] expected;
    using (no_grad())
    using (var input = tensor(pixels, [2, 1, 28, 28]))
    using (var logits = model.call(input))
        expected = logits.data<float>().ToArray();
    using var classifier = OnnxClassifier.Open(onnx);
    float[] actual = [.. classifier.Run(pixels, 2, 28, 28).SelectMany(row => row)];
    double worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
    Console.WriteLine($"consumer: ONNX Runtime logits match TorchSharp's within {worst:E1}");
    return worst < 1e-3 ? 0 : Fail("ONNX Runtime and TorchSharp disagree");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static int Fail(string why)
{
    Console.Error.WriteLine($"consumer: {why}");
    return 1;
}
