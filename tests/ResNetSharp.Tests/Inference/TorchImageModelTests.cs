using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Inference;

/// <summary>The TorchSharp side of <see cref="IImageModel"/>: outputs by name, equal to the network's own, and no native memory kept per call.</summary>
public class TorchImageModelTests
{
    [Fact]
    public void TheTrainingLibraryServesImageModelsWithoutOnnxRuntime()
    {
        var references = typeof(TorchImageModel).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("ResNetSharp.Imaging", references);
        Assert.DoesNotContain(references, name => name.StartsWith("ResNetSharp.Inference") || name.StartsWith("Microsoft.ML.OnnxRuntime"));
        Assert.Equal(typeof(ResNetSharp.Imaging.ImagePreprocessing).Assembly, typeof(IImageModel).Assembly);
    }

    [Fact]
    public void OutputsAreTheNetworksLogitsAndEmbeddingAndCallsKeepNoTensors()
    {
        var spec = ModelCatalog.Get("resnet18_cifar") with { Widths = [8, 16, 16, 16], StemChannels = 8, NumClasses = 3 };
        manual_seed(4);
        using var model = new TorchImageModel(new ResNet(spec), CPU, "small", ["a", "b", "c"], ImagePreprocessing.ForCrop(20));
        manual_seed(4);
        using var reference = new ResNet(spec);
        reference.eval();
        Assert.Equal(["logits", "embedding"], model.Info.Outputs.Select(o => o.Name));
        Assert.Equal((OutputKind.Classification, 3), (model.Info.Outputs[0].Kind, model.Info.Outputs[0].Size));
        Assert.Equal((OutputKind.Embedding, 16), (model.Info.Outputs[1].Kind, model.Info.Outputs[1].Size));

        var values = Enumerable.Range(0, 2 * 3 * 20 * 20).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var batch = new ImageBatch(values, 2, 3, 20, 20);
        var counts = new List<long>();
        for (int call = 0; call < 8; call++)
        {
            var predictions = model.Predict(batch);
            Assert.Equal(2, predictions.Count);
            Assert.Equal(["a", "b", "c"], predictions[0].Top(3).Select(s => s.Name).Order());
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            if (call == 0)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var x = tensor(values, [2, 3, 20, 20]);
                var logits = reference.call(x).data<float>().ToArray();
                var embedding = reference.Embed(x).data<float>().ToArray();
                Assert.Equal(logits[..3], predictions[0].Outputs["logits"]);
                Assert.Equal(embedding[16..], predictions[1].Embedding);
            }
        }
        Assert.All(counts.Skip(2), count => Assert.Equal(counts[1], count));
    }

    [Fact]
    public void ANetworkWithHeadsGivesEveryHeadByNameTheEmbeddingAndTopKForClassificationHeads()
    {
        var spec = ModelCatalog.Get("resnet18_cifar") with { Widths = [8, 16, 16, 16], StemChannels = 8 };
        TaskHead[] heads = [new RegressionHead("age", [30.0], [12.0]), new ClassificationHead("gender", ["f", "m"]) { Hidden = 4 }];
        manual_seed(6);
        using var model = new TorchImageModel(MultiHeadNetwork.FromSpec(spec, heads), CPU, "two heads", ImagePreprocessing.ForCrop(20));
        manual_seed(6);
        using var reference = MultiHeadNetwork.FromSpec(spec, heads);
        reference.eval();
        Assert.Equal([("age", OutputKind.Regression, 1), ("gender", OutputKind.Classification, 2), ("embedding", OutputKind.Embedding, 16)],
            model.Info.Outputs.Select(o => (o.Name, o.Kind, o.Size)));
        Assert.Equal(["age", "gender"], model.Info.HeadOutputs.Select(o => o.Name));
        Assert.Equal("gender", model.Info.Classification!.Name);

        var values = Enumerable.Range(0, 3 * 3 * 20 * 20).Select(i => MathF.Cos(i * 0.21f)).ToArray();
        var counts = new List<long>();
        for (int call = 0; call < 6; call++)
        {
            var predictions = model.Predict(new ImageBatch(values, 3, 3, 20, 20));
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            if (call > 0)
                continue;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = tensor(values, [3, 3, 20, 20]);
            var expected = reference.call(x);
            var embedding = reference.Embed(x).data<float>().ToArray();
            for (int row = 0; row < 3; row++)
            {
                Assert.Equal(expected["age"].data<float>().ToArray()[row..(row + 1)], predictions[row].Outputs["age"]);
                Assert.Equal(expected["gender"].data<float>().ToArray()[(2 * row)..(2 * row + 2)], predictions[row].Outputs["gender"]);
                Assert.Equal(embedding[(16 * row)..(16 * row + 16)], predictions[row].Embedding);
                Assert.Equal(predictions[row].Top(2), predictions[row].Top(2, "gender"));
            }
            Assert.Contains("holds regression values, not class logits", Assert.Throws<InvalidOperationException>(() => predictions[0].Top(1, "age")).Message);
        }
        Assert.All(counts.Skip(2), count => Assert.Equal(counts[1], count));
    }
}
