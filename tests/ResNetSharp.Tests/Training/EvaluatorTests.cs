using ResNetSharp.Data;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class EvaluatorTests
{
    private static readonly ResNetSpec Tiny = ResNetSpecJson.Parse(
        """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3, "inChannels": 1}""");

    private static ImageDataset RandomImages(int count, int seed)
    {
        var generator = new Generator((ulong)seed);
        var images = randint(0, 256, [count, 1, 12, 12], ScalarType.Byte, generator: generator);
        var labels = randint(0, 3, [count], ScalarType.Int64, generator: generator);
        return new ImageDataset(images, labels, ["a", "b", "c"], [0.5], [0.25], "random images");
    }

    /// <summary>Top-1 and mean loss of logits computed image by image, the way the evaluator should.</summary>
    private static (double Top1, double Loss) Expected(ResNet model, ImageDataset data, InputAdapter input, bool mirror)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var x = input.Prepare(data.Images, AugmentationOptions.None, null);
        var logits = model.call(x);
        if (mirror)
            logits = (logits + model.call(x.flip(3))) / 2;
        model.train();
        double top1 = logits.argmax(1).eq(data.Labels).to(ScalarType.Float64).mean().item<double>();
        return (top1, nn.functional.cross_entropy(logits, data.Labels).item<float>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MetricsAreThoseOfTheWholeSetWhateverTheBatchAndTtaAveragesWithTheMirror(bool tta)
    {
        manual_seed(3);
        using var model = new ResNet(Tiny);
        using var data = RandomImages(11, 1);
        var input = InputAdapter.For(data, 1, CPU);
        var (top1, loss) = Expected(model, data, input, tta);
        var (plainTop1, plainLoss) = Expected(model, data, input, !tta);
        Assert.NotEqual(plainLoss, loss, 6); // the mirror changes the logits, so a test of TTA can fail

        foreach (int batch in new[] { 4, 11, 64 })
        {
            var result = Evaluator.Evaluate(model, data, batch, input, tta);
            Assert.Equal(11, result.Samples);
            Assert.Equal(top1, result.Top1, 12);
            // The expectation averages float32 cross-entropies of all 11 images in one float32 reduction; the
            // evaluator sums per-batch float32 values in float64. Logits of a batch of 4 and of 11 may also differ
            // by a few float32 ulps (the convolution kernels block differently). Each of the ~11 roundings is
            // at most 2^-24 relative, so the two means agree to well within 1e-6 relative; compare that way,
            // never by rounding to decimal places (which fails whenever a value sits near a rounding boundary).
            Assert.True(Math.Abs(result.Loss - loss) <= 1e-6 * Math.Abs(loss), $"batch {batch}: loss {result.Loss:R} vs {loss:R}");
        }
        Assert.True(model.training, "the evaluator restores training mode");
    }

    [Fact]
    public void SeveralModelsInOnePassGiveWhatEachGivesAlone()
    {
        using var data = RandomImages(9, 2);
        var input = InputAdapter.For(data, 1, CPU);
        manual_seed(4);
        MultiHeadNetwork Network() => MultiHeadNetwork.FromSpec(Tiny, [new ClassificationHead("fc", data.ClassNames) { Column = InMemoryImageSet.ClassColumn }]);
        using var first = Network();
        using var second = Network();
        using var set = InMemoryImageSet.From(data);
        var both = Evaluator.Evaluate([first, second], set, 4, input, flipTestTimeAugmentation: true, CancellationToken.None)
            .Select(e => e.Classification!).ToList();
        var alone = new[] { first, second }.Select(m => Evaluator.Evaluate(m, set, 4, input, true).Classification!).ToList();
        for (int i = 0; i < 2; i++)
        {
            // The same batches in the same order: the same float32 arithmetic, so the same bits.
            Assert.Equal(alone[i].Loss, both[i].Loss);
            Assert.Equal(alone[i].Confusion, both[i].Confusion);
        }
        Assert.NotEqual(both[0].Loss, both[1].Loss);
    }

    [Theory]
    [InlineData("cpu", 64, 28, false, 64)]
    [InlineData("cpu", 512, 28, true, 512)]
    [InlineData("cpu", 128, 224, false, 128)]
    [InlineData("cuda", 256, 32, false, 1024)]
    [InlineData("cuda", 256, 32, true, 512)]
    [InlineData("cuda", 2048, 32, false, 2048)]
    [InlineData("cuda", 64, 224, false, 256)]
    [InlineData("cuda", 64, 4, false, 8192)]
    public void EvaluationBatchesFillAGpuWithAboutAMillionPixels(string device, int trainingBatch, int side, bool tta, int expected) =>
        Assert.Equal(expected, Evaluator.BatchSizeFor(trainingBatch, side, side, new Device(device), tta));
}
