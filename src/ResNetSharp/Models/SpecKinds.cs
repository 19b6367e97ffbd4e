namespace ResNetSharp.Models;

/// <summary>The residual block a network is made of.</summary>
public enum BlockKind
{
    /// <summary>Two 3x3 convolutions (ResNet-18/34); expansion 1.</summary>
    Basic,

    /// <summary>1x1 reduce, 3x3 (grouped for ResNeXt), 1x1 expand (ResNet-50 and deeper); expansion 4.</summary>
    Bottleneck,
}

/// <summary>Where a block's norms and activations sit relative to its convolutions.</summary>
public enum BlockOrder
{
    /// <summary>conv-BN-ReLU, the activation after the addition (He et al. 2016, torchvision).</summary>
    PostActivation,

    /// <summary>
    /// BN-ReLU-conv with nothing after the addition, so the shortcut path is a pure identity (He et al. 2016,
    /// "Identity Mappings"; timm's resnetv2). The stem then has no norm, projections no norm, and the
    /// network ends in a BN-ReLU before pooling.
    /// </summary>
    PreActivation,
}

/// <summary>The layers before the first stage.</summary>
public enum StemKind
{
    /// <summary>7x7 stride-2 convolution, then 3x3 stride-2 max-pool: total stride 4 (torchvision).</summary>
    ImageNet,

    /// <summary>3x3 stride-1 convolution and no pooling, for 32x32 images: total stride 1.</summary>
    Cifar,

    /// <summary>Three 3x3 convolutions, the first with stride 2, then max-pool (ResNet-C/D, timm "deep").</summary>
    Deep,
}

/// <summary>How the shortcut changes shape when a block changes channels or resolution, or whether there is one.</summary>
public enum ShortcutKind
{
    /// <summary>1x1 convolution with the block's stride, then a norm (torchvision).</summary>
    Conv1x1,

    /// <summary>2x2 average pool with the block's stride, then a stride-1 1x1 convolution and a norm (ResNet-D).</summary>
    AvgPoolConv,

    /// <summary>
    /// He et al.'s option A, without parameters: every second pixel (the block's stride) and zero channels
    /// added, split evenly before and after the input's (as the widely used PyTorch CIFAR ResNets do).
    /// </summary>
    ZeroPad,

    /// <summary>No shortcut at all: a plain network, the degradation experiment's baseline.</summary>
    None,
}

/// <summary>The non-linearity used throughout the network.</summary>
public enum ActivationKind
{
    /// <summary>max(0, x), as torchvision.</summary>
    ReLU,

    /// <summary>Leaky ReLU with negative slope 0.01 (PyTorch's default).</summary>
    LeakyReLU,

    /// <summary>Gaussian error linear unit (exact, not the tanh approximation).</summary>
    GELU,

    /// <summary>x * sigmoid(x), also called swish.</summary>
    SiLU,
}
