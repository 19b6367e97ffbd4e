using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Inference;

/// <summary>The TorchSharp side of <see cref="IImageModel"/>: outputs by name, equal to the network's own, and no native memory kept per call.</summary>
public class TorchImageModelTests
{
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
}
