using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// Runs convolutions and linear layers in the dtype of their input, casting float32 weights on the fly
/// (the cast is differentiable, so gradients reach the float32 weights): what <c>torch.autocast</c> does
/// for these layers. Norm layers keep float32 statistics and parameters and accept low-precision input.
/// </summary>
internal static class InputDtype
{
    /// <summary>Calls <paramref name="module"/> on <paramref name="x"/>; convolutions, linear layers and sequences of them follow x's dtype.</summary>
    public static Tensor Run(nn.Module<Tensor, Tensor> module, Tensor x) => module switch
    {
        Conv2d conv when conv.weight.dtype != x.dtype => nn.functional.conv2d(x, conv.weight.to(x.dtype), conv.bias?.to(x.dtype),
            conv.stride, conv.padding, conv.dilation, conv.groups),
        Linear linear when linear.weight.dtype != x.dtype => nn.functional.linear(x, linear.weight.to(x.dtype), linear.bias?.to(x.dtype)),
        Sequential sequence => sequence.children().Cast<nn.Module<Tensor, Tensor>>()
            .Aggregate(x, (current, child) => ReferenceEquals(current, x) ? Run(child, current) : FeatureMaps.Then(current, Run(child, current))),
        _ => module.call(x),
    };
}
