using ResNetSharp.Analysis;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Analysis;

/// <summary>
/// Grad-CAM on a tiny network trained in the fixture (a few seconds) to tell a red square from a green
/// one on grey noise: the evidence for a class is the square of its colour, wherever it was drawn.
/// </summary>
public sealed class GradCamTests(GradCamTests.ColourSquares trained) : IClassFixture<GradCamTests.ColourSquares>
{
    public sealed class ColourSquares : IDisposable
    {
        public const int Size = 32, Square = 8;

        public static readonly ResNetSpec Spec = new()
        {
            Block = BlockKind.Basic, Depths = [1, 1], Widths = [8, 16], Stem = StemKind.Cifar, StemChannels = 8, NumClasses = 2,
        };

        public ResNet Model { get; }

        /// <summary>Eval-mode accuracy on a fresh batch.</summary>
        public float Accuracy { get; }

        public ColourSquares()
        {
            manual_seed(11);
            Model = new ResNet(Spec);
            var random = new Random(11);
            using var optimizer = optim.Adam(Model.parameters(), lr: 0.01);
            Model.train();
            // Enough steps for BatchNorm's running statistics to settle, not only for the batch accuracy.
            for (int step = 0; step < 100; step++)
            {
                using var scope = NewDisposeScope();
                var (images, labels, _) = Batch(random, 32);
                optimizer.zero_grad();
                var logits = Model.call(images);
                nn.functional.cross_entropy(logits, labels).backward();
                optimizer.step();
            }
            Model.eval();
            using var _ = no_grad();
            using var evaluation = NewDisposeScope();
            var (testImages, testLabels, _) = Batch(random, 64);
            Accuracy = Model.call(testImages).argmax(1).eq(testLabels).to(ScalarType.Float32).mean().item<float>();
        }

        /// <summary>Images of grey noise with one square: red for class 0, green for class 1, at a random place.</summary>
        public static (Tensor Images, Tensor Labels, (int X, int Y)[] Corners) Batch(Random random, int count)
        {
            var labels = Enumerable.Range(0, count).Select(_ => (long)random.Next(2)).ToArray();
            var corners = labels.Select(_ => (random.Next(Size - Square + 1), random.Next(Size - Square + 1))).ToArray();
            var images = Noise(random, count);
            for (int i = 0; i < count; i++)
                Paint(images, i, corners[i], (int)labels[i]);
            return (Normalise(images, count), tensor(labels), corners);
        }

        public static float[] Noise(Random random, int count) =>
            Enumerable.Range(0, count * 3 * Size * Size).Select(_ => 0.4f + 0.2f * random.NextSingle()).ToArray();

        /// <summary>A bright square in channel 0 (red) or 1 (green), dark in the other two.</summary>
        public static void Paint(float[] images, int image, (int X, int Y) corner, int colour)
        {
            for (int c = 0; c < 3; c++)
                for (int y = corner.Y; y < corner.Y + Square; y++)
                    for (int x = corner.X; x < corner.X + Square; x++)
                        images[((image * 3 + c) * Size + y) * Size + x] = c == colour ? 1f : 0.1f;
        }

        public static Tensor Normalise(float[] images, int count) => (tensor(images, [count, 3, Size, Size]) - 0.5f) / 0.25f;

        public void Dispose() => Model.Dispose();
    }

    private static bool Inside((int X, int Y) point, (int X, int Y) corner, int margin = 2) =>
        point.X >= corner.X - margin && point.X < corner.X + ColourSquares.Square + margin
        && point.Y >= corner.Y - margin && point.Y < corner.Y + ColourSquares.Square + margin;

    [Fact]
    public void ThePeakOfThePredictedClassFallsOnItsSquare()
    {
        Assert.Equal(1f, trained.Accuracy);
        using var scope = NewDisposeScope();
        var (images, labels, corners) = ColourSquares.Batch(new Random(99), 16);
        var explanations = GradCam.Explain(trained.Model, images);

        Assert.Equal(labels.data<long>().Select(l => (int)l), explanations.Select(e => e.Class));
        for (int i = 0; i < corners.Length; i++)
        {
            Assert.Equal(ColourSquares.Size, explanations[i].Map.Height);
            Assert.True(Inside(explanations[i].Map.Peak, corners[i]),
                $"image {i}: peak {explanations[i].Map.Peak}, square at {corners[i]}");
            Assert.InRange(explanations[i].Probability, 0.5f, 1f);
            Assert.Equal(1f, explanations[i].Map.Values.Max());
        }
    }

    [Fact]
    public void EachClassPointsAtItsOwnSquareInAnImageThatHoldsBoth()
    {
        var random = new Random(5);
        var images = ColourSquares.Noise(random, 1);
        (int X, int Y) red = (2, 3), green = (21, 20);
        ColourSquares.Paint(images, 0, red, 0);
        ColourSquares.Paint(images, 0, green, 1);
        using var scope = NewDisposeScope();
        var input = ColourSquares.Normalise(images, 1);

        var forRed = GradCam.Explain(trained.Model, input, classes: [0])[0];
        var forGreen = GradCam.Explain(trained.Model, input, classes: [1])[0];

        Assert.True(Inside(forRed.Map.Peak, red), $"red: peak {forRed.Map.Peak}");
        Assert.True(Inside(forGreen.Map.Peak, green), $"green: peak {forGreen.Map.Peak}");
    }

    [Fact]
    public void AnEarlierStageGivesAMapOfTheInputSizeAndTheModelKeepsItsModesAndGradients()
    {
        using var scope = NewDisposeScope();
        var (images, _, _) = ColourSquares.Batch(new Random(3), 2);
        var gradientsBefore = trained.Model.parameters().Select(p => p.grad?.clone()).ToList();
        trained.Model.train();
        trained.Model.Blocks.First().eval();
        using (no_grad())
        {
            var explanations = GradCam.Explain(trained.Model, images, stage: "layer1");
            Assert.All(explanations, e => Assert.Equal(ColourSquares.Size * ColourSquares.Size, e.Map.Values.Length));
            Assert.All(explanations, e => Assert.InRange(e.Map.Values.Min(), 0f, 1f));
        }
        Assert.True(trained.Model.training);
        Assert.False(trained.Model.Blocks.First().training);
        Assert.True(trained.Model.Blocks.Last().training);
        foreach (var (before, parameter) in gradientsBefore.Zip(trained.Model.parameters()))
            Assert.True(before is null ? parameter.grad is null : before.eq(parameter.grad!).all().item<bool>(), "a parameter's gradient changed");
        trained.Model.eval();
    }

    [Fact]
    public void BadArgumentsSayWhatWasExpected()
    {
        using var scope = NewDisposeScope();
        var images = randn(2, 3, 32, 32);
        Assert.Contains("layer1, layer2", Assert.Throws<ArgumentException>(() => GradCam.Explain(trained.Model, images, stage: "layer4")).Message);
        Assert.Contains("one per image", Assert.Throws<ArgumentException>(() => GradCam.Explain(trained.Model, images, classes: [0])).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Explain(trained.Model, images, classes: [0, 2])).Message);
        using var headless = new ResNet(ColourSquares.Spec with { NumClasses = 0 });
        Assert.Contains("no classifier", Assert.Throws<ArgumentException>(() => GradCam.Explain(headless, images)).Message);
    }
}
