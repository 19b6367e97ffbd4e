using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// Drops our handle on an intermediate feature map as soon as the next one has been computed from it.
/// A forward's dispose scope would otherwise hold every intermediate map until the forward ends; under
/// no-grad that is several maps more than PyTorch's reference counting keeps alive. Autograd keeps what
/// backward needs whatever we drop, so this is safe in training too (it just saves nothing there).
/// </summary>
internal static class FeatureMaps
{
    /// <summary>Returns <paramref name="output"/>, computed from <paramref name="input"/>, and drops <paramref name="input"/>.</summary>
    public static Tensor Then(Tensor input, Tensor output)
    {
        if (!ReferenceEquals(input, output))
            input.Dispose();
        return output;
    }

    /// <summary>The norm of a convolution's output, dropping the convolution's output.</summary>
    public static Tensor Normed(BatchNorm2d norm, Tensor convolved) => Then(convolved, norm.call(convolved));
}
