using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>Applies the network's non-linearity; activations hold no parameters, so they are functions here.</summary>
internal static class Activations
{
    /// <param name="kind">Which non-linearity.</param>
    /// <param name="x">Input.</param>
    /// <param name="inplace">Overwrite <paramref name="x"/>; only for tensors the caller created itself.</param>
    public static Tensor Apply(ActivationKind kind, Tensor x, bool inplace) => kind switch
    {
        ActivationKind.ReLU => nn.functional.relu(x, inplace),
        ActivationKind.LeakyReLU => nn.functional.leaky_relu(x, 0.01, inplace),
        ActivationKind.GELU => nn.functional.gelu(x, inplace: false),
        ActivationKind.SiLU => nn.functional.silu(x, inplace),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation"),
    };
}
