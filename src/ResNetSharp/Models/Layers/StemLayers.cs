using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// The layers before the first stage, registered by the network at its top level so the keys are
/// torchvision's (conv1.*, bn1.*) or timm's deep-stem keys (conv1.0, conv1.1, conv1.3, conv1.4, conv1.6, bn1).
/// </summary>
/// <param name="Conv">"conv1": a convolution, or the deep stem's sequence of three.</param>
/// <param name="Norm">"bn1": the norm after it, or null before pre-activation blocks (the first block normalises).</param>
/// <param name="Pool">3x3 stride-2 max-pool, or null for the CIFAR stem.</param>
internal sealed record StemLayers(nn.Module<Tensor, Tensor> Conv, BatchNorm2d? Norm, MaxPool2d? Pool)
{
    public static StemLayers Create(NetworkPlan plan)
    {
        var spec = plan.Spec;
        int c = spec.StemChannels;
        var norm = plan.NormAfterStem ? ConvLayers.Norm(c) : null;
        return spec.Stem switch
        {
            StemKind.ImageNet => new StemLayers(
                nn.Conv2d(spec.InChannels, c, 7, stride: 2, padding: 3, bias: false), norm, MaxPool()),
            StemKind.Cifar => new StemLayers(ConvLayers.Conv3x3(spec.InChannels, c), norm, null),
            StemKind.Deep => new StemLayers(DeepConvolutions(spec), norm, MaxPool()),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Stem, "unknown stem kind"),
        };
    }

    private static MaxPool2d MaxPool() => nn.MaxPool2d(3, stride: 2, padding: 1);

    private static Sequential DeepConvolutions(ResNetSpec spec)
    {
        int w = spec.DeepStemWidth;
        return nn.Sequential(
            ("0", ConvLayers.Conv3x3(spec.InChannels, w, stride: 2)),
            ("1", ConvLayers.Norm(w)),
            ("2", new ActivationLayer(spec.Activation)),
            ("3", ConvLayers.Conv3x3(w, w)),
            ("4", ConvLayers.Norm(w)),
            ("5", new ActivationLayer(spec.Activation)),
            ("6", ConvLayers.Conv3x3(w, spec.StemChannels)));
    }
}
