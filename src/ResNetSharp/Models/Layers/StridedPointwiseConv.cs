using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// A bias-free 1x1 convolution with a stride: the projection of a downsampling shortcut. Its only
/// parameter is "weight" (out, in, 1, 1), exactly as an nn.Conv2d, so keys stay torchvision's.
/// </summary>
/// <remarks>
/// On the CPU it subsamples first and then convolves with stride 1, which gives the same result.
/// libtorch 2.10's oneDNN divides by zero (SIGFPE, killing the process) when planning the backward pass
/// of a strided 1x1 convolution on machines that report no cache sizes, such as some virtual machines;
/// the stride-1 path does not go there. On other devices it is an ordinary strided convolution.
/// </remarks>
public sealed class StridedPointwiseConv : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;

    /// <summary>Spatial stride.</summary>
    public int Stride { get; }

    /// <summary>The kernel, (out, in, 1, 1).</summary>
    public Parameter Weight => _weight;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Spatial stride, 1 or more.</param>
    public StridedPointwiseConv(int inChannels, int outChannels, int stride) : base(nameof(StridedPointwiseConv))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        Stride = stride;
        _weight = new Parameter(empty(outChannels, inChannels, 1, 1));
        register_parameter("weight", _weight);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (Stride == 1)
            return nn.functional.conv2d(x, _weight);
        if (x.device_type != DeviceType.CPU)
            return nn.functional.conv2d(x, _weight, strides: [Stride, Stride]);
        using var subsampled = x[TensorIndex.Colon, TensorIndex.Colon,
            TensorIndex.Slice(step: Stride), TensorIndex.Slice(step: Stride)];
        return nn.functional.conv2d(subsampled, _weight);
    }

    /// <inheritdoc />
    protected override void RegisterComponents() { }
}
