namespace ResNetSharp.Analysis;

/// <summary>Output sizes of the layers a ResNet uses, by PyTorch's formula floor((n + 2p - k) / s) + 1.</summary>
internal static class LayerShapes
{
    public static int Convolved(int size, int kernel, int stride, int padding) =>
        (size + 2 * padding - kernel) / stride + 1;

    /// <summary>A 3x3 convolution (or 3x3 max-pool) with padding 1.</summary>
    public static int Strided3x3(int size, int stride) => Convolved(size, 3, stride, 1);
}
