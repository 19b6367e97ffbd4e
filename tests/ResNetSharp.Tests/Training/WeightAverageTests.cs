using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class WeightAverageTests
{
    private static readonly ResNetSpec Tiny = new()
    {
        Block = BlockKind.Basic, Depths = [1], Widths = [4], StemChannels = 4, Stem = StemKind.Cifar, NumClasses = 3, InChannels = 1,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheAverageFollowsTheWarmedUpDecayAndCopiesIntegerBuffers(bool channelsLastAndPackedOptimizer)
    {
        manual_seed(2);
        using var model = new ResNet(Tiny);
        if (channelsLastAndPackedOptimizer)
        {
            MemoryFormat.ConvertWeights(model);
            new SgdOptimizer(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.9, nesterov: true, weightDecay: 0).Pack();
        }
        using var average = new WeightAverage(model, decay: 0.5);
        Assert.True(average.IsPacked);
        Assert.Equal(channelsLastAndPackedOptimizer, MemoryFormat.IsChannelsLast(average.Model.get_parameter("layer1.0.conv1.weight")!));
        var start = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        using (no_grad())
            foreach (var parameter in model.parameters())
                parameter.add_(1.0);
        model.train();
        using (var scope = NewDisposeScope())
            model.call(randn(4, 1, 8, 8)); // moves BatchNorm statistics and num_batches_tracked
        average.Update();
        average.Update();

        // Decays: min(0.5, 1/10) = 0.1, then min(0.5, 2/11).
        double d0 = average.DecayAt(0), d1 = average.DecayAt(1);
        Assert.Equal(0.1, d0, 12);
        Assert.Equal(2.0 / 11, d1, 12);
        var now = model.state_dict();
        foreach (var (name, value) in average.Model.state_dict())
        {
            if (!value.is_floating_point())
            {
                Assert.True(value.eq(now[name]).all().item<bool>(), $"{name} should be copied");
                continue;
            }
            var once = start[name] * d0 + now[name] * (1 - d0);
            var expected = once * d1 + now[name] * (1 - d1);
            Assert.True(value.allclose(expected, rtol: 1e-5, atol: 1e-6), $"{name} is not the moving average");
        }
        Assert.Equal(2, average.Updates);
        Assert.False(average.Model.training);
        Assert.All(average.Model.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void DecayOutsideTheOpenUnitIntervalIsRefused()
    {
        using var model = new ResNet(Tiny);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(model, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(model, 0.0));
    }
}
