using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>torchvision's initialisation of a ResNet.</summary>
public static class WeightInit
{
    /// <summary>
    /// Convolutions: Kaiming-normal, fan-out, ReLU gain. Norms: weight 1, bias 0. Linear layers keep
    /// PyTorch's default (Kaiming-uniform). With <see cref="ResNetSpec.ZeroInitLastNorm"/>, each residual
    /// branch's last norm weight starts at 0.
    /// </summary>
    public static void Apply(ResNet model)
    {
        using var _ = no_grad();
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d norm:
                    norm.weight!.fill_(1.0);
                    norm.bias!.fill_(0);
                    break;
            }
        }
        if (model.Spec.ZeroInitLastNorm)
            foreach (var block in model.Blocks)
                block.ZeroInitLastNorm();
    }
}
