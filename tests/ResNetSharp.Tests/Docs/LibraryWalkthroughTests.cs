using ResNetSharp.Data;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Docs;

/// <summary>The README's "Training and shipping from C#" section, run on a tiny dataset: keep the two in step.</summary>
public class LibraryWalkthroughTests
{
    private sealed class EpochPrinter : TrainingObserver
    {
        public List<double> Top1 { get; } = [];

        public override void Epoch(EpochReport report) => Top1.Add(report.Test!.Top1);
    }

    [Fact]
    public void TrainLoadEvaluateAndShipFromCSharp()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("library");

        var config = new TrainingConfig
        {
            Model = run.ModelFile,
            Schedule = new ScheduleConfig { Epochs = 2 },
            Optimization = new OptimizationConfig { BatchSize = 16, LearningRate = 0.05 },
        };
        var observer = new EpochPrinter();
        var outcome = new Trainer(config, folder, CPU, run.DataDir, observer).Run(resume: false, force: false, CancellationToken.None);
        Assert.True(outcome.Completed);
        Assert.Equal(2, observer.Top1.Count);

        using var model = WeightsModel.Load(Path.Combine(folder, "best.safetensors"));
        using var test = DatasetCatalog.Load("fashion-mnist", DatasetSplit.Test, run.DataDir);
        var result = Evaluator.Evaluate(model, test, 256, InputAdapter.For(test, model.Spec.InChannels, CPU));
        Assert.Equal(observer.Top1.Max(), result.Top1, 6);

        string onnx = Path.Combine(folder, "model.onnx");
        model.eval();
        OnnxExporter.Export(model, onnx, new OnnxExportOptions(28, 28, ClassNames: test.ClassNames));
        using var classifier = OnnxClassifier.Open(onnx);
        Assert.Equal(test.ClassNames, classifier.ClassNames);

        using var image = test.Images.narrow(0, 0, 1);
        using var prepared = InputAdapter.For(test, 1, CPU).Prepare(image, AugmentationOptions.None, null);
        using var _ = no_grad();
        using var expected = model.call(prepared);
        var logits = classifier.Run(prepared.data<float>().ToArray(), 1, 28, 28)[0];
        Assert.Equal(expected.argmax(1).item<long>(), Array.IndexOf(logits, logits.Max()));
        Assert.Equal(test.ClassNames[(int)expected.argmax(1).item<long>()], ClassScore.TopK(logits, 1, classifier.ClassNames)[0].Name);
    }
}
