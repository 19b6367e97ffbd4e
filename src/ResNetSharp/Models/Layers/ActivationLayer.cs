using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>A parameter-free module wrapper of <see cref="Activations"/>, for places that need a module in a sequence.</summary>
internal sealed class ActivationLayer(ActivationKind kind) : nn.Module<Tensor, Tensor>(kind.ToString())
{
    public override Tensor forward(Tensor x) => Activations.Apply(kind, x, inplace: false);
}
