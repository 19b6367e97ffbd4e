using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class BatchAugmentationTests
{
    private static readonly double[] Mean = [0.0];
    private static readonly double[] Std = [1.0];

    private static Tensor Images(int count) =>
        randint(0, 256, [count, 1, 12, 10], ScalarType.Byte, generator: new Generator(3));

    [Fact]
    public void EveryCropIsAShiftedWindowOfThePaddedImage()
    {
        using var scope = NewDisposeScope();
        var images = Images(8);
        var crops = BatchAugmentation.Apply(images, Mean, Std, new AugmentationOptions(CropPadding: 3, HorizontalFlip: false), new Generator(5));
        var padded = nn.functional.pad(images.to(ScalarType.Float32).div(255.0), [3, 3, 3, 3]);
        var offsetsSeen = new HashSet<(int, int)>();
        for (int i = 0; i < 8; i++)
        {
            var match = (from dy in Enumerable.Range(0, 7)
                         from dx in Enumerable.Range(0, 7)
                         where padded[i, .., dy..(dy + 12), dx..(dx + 10)].allclose(crops[i])
                         select (dy, dx)).FirstOrDefault((-1, -1));
            Assert.NotEqual((-1, -1), match);
            offsetsSeen.Add(match);
        }
        Assert.True(offsetsSeen.Count > 1, "all crops used the same offset");
    }

    [Fact]
    public void FlipsHappenToSomeImagesOnly()
    {
        using var scope = NewDisposeScope();
        var images = Images(32);
        var flipped = BatchAugmentation.Apply(images, Mean, Std, new AugmentationOptions(CropPadding: 0), new Generator(1));
        var plain = images.to(ScalarType.Float32).div(255.0);
        int same = 0, mirrored = 0;
        for (int i = 0; i < 32; i++)
        {
            if (flipped[i].allclose(plain[i])) same++;
            else if (flipped[i].allclose(plain[i].flip(2))) mirrored++;
        }
        Assert.Equal(32, same + mirrored);
        Assert.InRange(mirrored, 4, 28);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBatchAndAnotherSeedAnotherOne()
    {
        using var scope = NewDisposeScope();
        var images = Images(16);
        var options = new AugmentationOptions(ErasingProbability: 0.5);
        var a = BatchAugmentation.Apply(images, Mean, Std, options, new Generator(11));
        var b = BatchAugmentation.Apply(images, Mean, Std, options, new Generator(11));
        var c = BatchAugmentation.Apply(images, Mean, Std, options, new Generator(12));
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Fact]
    public void ErasingZeroesOneSquarePerErasedImageAndNormalisationUsesMeanAndStd()
    {
        using var scope = NewDisposeScope();
        var images = full([16, 1, 12, 10], 255, ScalarType.Byte);
        var output = BatchAugmentation.Apply(images, [0.5], [0.25], AugmentationOptions.None with { ErasingProbability = 1.0, ErasingSize = 0.5 }, new Generator(2));
        Assert.True(output.eq(0).logical_or(output.eq(2.0f)).all().item<bool>());
        var zeros = output.eq(0).sum([1, 2, 3]);
        Assert.True(zeros.eq(6 * 5).all().item<bool>());
    }
}
