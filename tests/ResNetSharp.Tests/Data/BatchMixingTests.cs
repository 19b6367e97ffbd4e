using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class BatchMixingTests
{
    private static Tensor Images() => arange(6 * 2 * 8 * 10).view(6, 2, 8, 10).to(ScalarType.Float32);

    [Fact]
    public void MixupBlendsEachImageWithItsMirrorInTheBatch()
    {
        using var scope = NewDisposeScope();
        var x = Images();
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 5 });
        var mixed = BatchMixing.Apply(x, labels, new MixingOptions(MixupAlpha: 0.4), new Random(3));
        Assert.InRange(mixed.Lambda, 0, 1);
        var expected = x * mixed.Lambda + x.flip(0) * (1 - mixed.Lambda);
        Assert.True(mixed.Images.allclose(expected, rtol: 1e-5, atol: 1e-3));
        Assert.Equal(new long[] { 5, 4, 3, 2, 1, 0 }, mixed.PartnerLabels.data<long>().ToArray());
        Assert.Equal(labels.data<long>().ToArray(), mixed.Labels.data<long>().ToArray());
    }

    [Fact]
    public void CutmixPastesOneBoxFromTheMirrorAndLambdaIsTheKeptArea()
    {
        using var scope = NewDisposeScope();
        var x = Images();
        bool sawBox = false;
        for (int seed = 0; seed < 20; seed++)
        {
            var mixed = BatchMixing.Apply(x, zeros(6, ScalarType.Int64), new MixingOptions(CutmixAlpha: 1.0), new Random(seed));
            var fromPartner = mixed.Images.ne(x);
            long changed = fromPartner.sum().item<long>();
            // Changed pixels are exactly the partner's, and their share is 1 - λ.
            Assert.True(mixed.Images.eq(where(fromPartner, x.flip(0), x)).all().item<bool>());
            Assert.Equal(1 - mixed.Lambda, (double)changed / x.numel(), 9);
            sawBox |= changed > 0;

            var again = BatchMixing.Apply(x, zeros(6, ScalarType.Int64), new MixingOptions(CutmixAlpha: 1.0), new Random(seed));
            Assert.True(again.Images.eq(mixed.Images).all().item<bool>(), "same seed, different batch");
        }
        Assert.True(sawBox);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void BetaSamplesHaveTheDistributionsMeanAndVariance(double alpha)
    {
        var random = new Random(11);
        var samples = Enumerable.Range(0, 20000).Select(_ => BatchMixing.BetaSample(alpha, random)).ToArray();
        Assert.All(samples, s => Assert.InRange(s, 0, 1));
        double mean = samples.Average();
        double variance = samples.Select(s => (s - mean) * (s - mean)).Average();
        Assert.Equal(0.5, mean, 0.01);
        Assert.Equal(1.0 / (4 * (2 * alpha + 1)), variance, 0.01);
    }
}
