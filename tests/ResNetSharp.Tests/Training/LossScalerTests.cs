using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class LossScalerTests
{
    [Fact]
    public void FiniteGradientsAreUnscaledAndInfiniteOnesSkipTheStepAndHalveTheScale()
    {
        var scaler = new LossScaler(scale: 1024);
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 2048f, -1024f });
        var b = tensor(new[] { 512f });
        Assert.True(scaler.UnscaleAndCheck([a, b]));
        Assert.Equal(new[] { 2f, -1f }, a.data<float>().ToArray());
        Assert.Equal(0.5f, b.item<float>());
        Assert.Equal(1024, scaler.Scale);
        Assert.Equal(1, scaler.GoodSteps);

        Assert.False(scaler.UnscaleAndCheck([tensor(new[] { 1f, float.PositiveInfinity }), b]));
        Assert.Equal(512, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
        Assert.False(scaler.UnscaleAndCheck([tensor(new[] { float.NaN }).to(ScalarType.Float16)]));
        Assert.Equal(256, scaler.Scale);
        Assert.Equal(2, scaler.SkippedSteps);
    }

    [Fact]
    public void TheScaleDoublesAfterTheGrowthIntervalOfGoodSteps()
    {
        var scaler = new LossScaler(scale: 8, goodSteps: LossScaler.GrowthInterval - 2);
        using var scope = NewDisposeScope();
        Assert.True(scaler.UnscaleAndCheck([ones(3)]));
        Assert.Equal(8, scaler.Scale);
        Assert.True(scaler.UnscaleAndCheck([ones(3)]));
        Assert.Equal(16, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
        Assert.Equal(48, scaler.ScaleLoss(tensor(3f)).item<float>());
    }
}
