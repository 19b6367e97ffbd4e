using ResNetSharp.Common;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

/// <summary>Mixed-precision forward passes (input dtype drives convolutions and the classifier) and channels-last layout.</summary>
public class LowPrecisionAndLayoutTests
{
    // Deep stem, average-pool shortcut and SE: every kind of sub-module the forward pass routes through.
    private static readonly ResNetSpec Small = new()
    {
        Block = BlockKind.Bottleneck, Depths = [1, 1], Widths = [8, 16], StemChannels = 16, DeepStemWidth = 8, BaseWidth = 64,
        Stem = StemKind.Deep, Shortcut = ShortcutKind.AvgPoolConv, SqueezeExcitationRatio = 4, NumClasses = 7,
    };

    [Theory]
    [InlineData(ScalarType.BFloat16, 0.05)]
    [InlineData(ScalarType.Float16, 0.01)]
    public void ALowPrecisionInputRunsTheFloat32NetworkInThatDtypeWithFloat32Gradients(ScalarType dtype, double tolerance)
    {
        manual_seed(4);
        using var model = new ResNet(Small with { ZeroInitLastNorm = false });
        using var scope = NewDisposeScope();
        var x = randn(4, 3, 40, 36);
        var reference = model.call(x);
        var logits = model.call(x.to(dtype));

        Assert.Equal(dtype, logits.dtype);
        double error = (logits.to(ScalarType.Float32) - reference).abs().max().item<float>() / reference.abs().max().item<float>();
        Assert.True(error < tolerance, $"{dtype} logits differ from float32 by {error:G3} of their range");
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));

        logits.to(ScalarType.Float32).pow(2).mean().backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} has no gradient");
            Assert.Equal(ScalarType.Float32, parameter.grad!.dtype);
            Assert.True(parameter.grad.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
    }

    [Fact]
    public void ChannelsLastWeightsAndInputsGiveTheSameOutputsAndGradientsAndStayChannelsLast()
    {
        manual_seed(5);
        using var plain = new ResNet(Small with { ZeroInitLastNorm = false });
        using var nhwc = new ResNet(Small with { ZeroInitLastNorm = false });
        nhwc.load_state_dict(plain.state_dict());
        MemoryFormat.ConvertWeights(nhwc);
        var convWeights = nhwc.named_parameters().Where(p => p.parameter.dim() == 4 && p.parameter.shape[2] > 1).ToList();
        Assert.NotEmpty(convWeights);
        Assert.All(convWeights, p => Assert.True(MemoryFormat.IsChannelsLast(p.parameter), $"{p.name} is not NHWC"));
        Assert.All(convWeights, p => Assert.False(p.parameter.is_contiguous(), $"{p.name} still has NCHW strides"));

        using var scope = NewDisposeScope();
        var x = randn(3, 3, 33, 35);
        var expected = plain.call(x);
        var actual = nhwc.call(MemoryFormat.ToChannelsLast(x));
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5));
        expected.sum().backward();
        actual.sum().backward();
        var plainGrads = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, parameter) in nhwc.named_parameters())
            Assert.True(parameter.grad!.allclose(plainGrads[name], rtol: 1e-3, atol: 1e-5), $"{name}: gradients differ");

        var optimizer = new SgdOptimizer(nhwc.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.9, nesterov: true, weightDecay: 5e-4);
        optimizer.Step(0.1);
        optimizer.Step(0.1);
        Assert.All(convWeights, p => Assert.True(MemoryFormat.IsChannelsLast(p.parameter), $"{p.name} lost its layout in the optimiser step"));
    }

    [Fact]
    public void ToChannelsLastKeepsShapeAndValuesAndRejectsOtherRanks()
    {
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 4 * 5).view(2, 3, 4, 5).to(ScalarType.Float32);
        var y = MemoryFormat.ToChannelsLast(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal([60L, 1, 15, 3], y.stride());
        Assert.True(y.eq(x).all().item<bool>());
        Assert.True(MemoryFormat.IsChannelsLast(y));
        Assert.False(MemoryFormat.IsChannelsLast(x));
        Assert.Contains("4-d", Assert.Throws<ArgumentException>(() => MemoryFormat.ToChannelsLast(ones(3, 4))).Message);
    }

    [Fact]
    public void CudnnAutotuneSwitchReachesLibtorch()
    {
        bool? before = CudnnAutotune.IsEnabled();
        Assert.NotNull(before);
        try
        {
            Assert.True(CudnnAutotune.TrySet(true));
            Assert.True(CudnnAutotune.IsEnabled());
            Assert.True(CudnnAutotune.TrySet(false));
            Assert.False(CudnnAutotune.IsEnabled());
        }
        finally
        {
            CudnnAutotune.TrySet(before!.Value);
        }
    }
}
