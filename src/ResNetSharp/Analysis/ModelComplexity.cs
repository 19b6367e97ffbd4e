using ResNetSharp.Models;

namespace ResNetSharp.Analysis;

/// <summary>
/// Multiply-accumulates of each part of a network for one sample, counted as the usual tables do
/// (torchvision's GFLOPS column, fvcore): convolutions and linear layers; norms, activations, pooling and
/// additions are not counted.
/// </summary>
public static class ModelComplexity
{
    /// <summary>Output size and MACs of the stem.</summary>
    public static (int Height, int Width, long Macs) Stem(ResNetSpec spec, int height, int width)
    {
        int c = spec.StemChannels, input = spec.InChannels;
        switch (spec.Stem)
        {
            case StemKind.Cifar:
                return (height, width, Conv(height, width, input, c, 3));
            case StemKind.ImageNet:
            {
                int h = LayerShapes.Convolved(height, 7, 2, 3), w = LayerShapes.Convolved(width, 7, 2, 3);
                long macs = Conv(h, w, input, c, 7);
                return (LayerShapes.Strided3x3(h, 2), LayerShapes.Strided3x3(w, 2), macs);
            }
            case StemKind.Deep:
            {
                int h = LayerShapes.Strided3x3(height, 2), w = LayerShapes.Strided3x3(width, 2), d = spec.DeepStemWidth;
                long macs = Conv(h, w, input, d, 3) + Conv(h, w, d, d, 3) + Conv(h, w, d, c, 3);
                return (LayerShapes.Strided3x3(h, 2), LayerShapes.Strided3x3(w, 2), macs);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Stem, "unknown stem kind");
        }
    }

    /// <summary>Output size and MACs of one residual block given its input size, from its planned convolutions.</summary>
    public static (int Height, int Width, long Macs) Block(ResNetSpec spec, BlockPlan block, int height, int width)
    {
        int h = height, w = width;
        long macs = 0;
        foreach (var conv in block.Convolutions)
        {
            (h, w) = (LayerShapes.Convolved(h, conv.Kernel, conv.Stride, conv.Padding), LayerShapes.Convolved(w, conv.Kernel, conv.Stride, conv.Padding));
            macs += Conv(h, w, conv.InChannels, conv.OutChannels, conv.Kernel, conv.Groups);
        }
        // Every projection (strided 1x1, or pool then 1x1) outputs at the block's output size.
        if (block.ShortcutConvolution is { } projection)
            macs += Conv(h, w, projection.InChannels, projection.OutChannels, projection.Kernel, projection.Groups);
        if (spec.SqueezeExcitationRatio > 0)
            macs += 2L * block.OutChannels * SqueezeExcitation.ReducedChannels(block.OutChannels, spec.SqueezeExcitationRatio);
        return (h, w, macs);
    }

    /// <summary>MACs of the classifier (pooling is not counted).</summary>
    public static long Head(int features, int classes) => (long)features * classes;

    private static long Conv(int outHeight, int outWidth, int inChannels, int outChannels, int kernel, int groups = 1) =>
        (long)outHeight * outWidth * outChannels * (inChannels / groups) * kernel * kernel;
}
