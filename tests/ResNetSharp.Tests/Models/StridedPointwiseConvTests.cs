using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class StridedPointwiseConvTests
{
    [Theory]
    [InlineData(2, 14, 14)]
    [InlineData(2, 15, 9)]
    [InlineData(3, 10, 11)]
    public void MatchesAStridedConvolutionInValueAndGradient(int stride, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var ours = new StridedPointwiseConv(8, 16, stride);
        using var reference = nn.Conv2d(8, 16, 1, stride: stride, bias: false);
        using (no_grad())
            ours.Weight.copy_(reference.weight!);
        var x1 = randn(2, 8, height, width).requires_grad_();
        var x2 = x1.detach().clone().requires_grad_();

        var y1 = ours.call(x1);
        var y2 = reference.call(x2);
        Assert.Equal(y2.shape, y1.shape);
        Assert.True(y1.allclose(y2, rtol: 1e-5, atol: 1e-6));

        y1.pow(2).sum().backward();
        y2.pow(2).sum().backward();
        Assert.True(x1.grad!.allclose(x2.grad!, rtol: 1e-5, atol: 1e-5));
        Assert.True(ours.Weight.grad!.allclose(reference.weight!.grad!, rtol: 1e-4, atol: 1e-4));
    }
}
