namespace ResNetSharp.Imaging;

/// <summary>
/// Bilinear resizing with antialiasing, computed as libtorch's CPU kernel does for float input
/// (<c>interpolate(..., mode="bilinear", antialias=True)</c>, torchvision's tensor path): a triangle
/// filter widened by the scale when shrinking, weights normalised per output pixel, the width pass
/// first and the height pass on its float result, then rounding half to even.
/// </summary>
internal static class AntialiasedResize
{
    /// <summary>The input window and weights of one output position along one axis.</summary>
    private readonly record struct Taps(int First, float[] Weights);

    public static PixelPlanes Resize(PixelPlanes source, int height, int width)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"resize target must be at least 1x1; got {height}x{width}.");
        var across = TapsFor(source.Width, width);
        var down = TapsFor(source.Height, height);
        var result = new byte[source.Channels * height * width];
        var rows = new float[source.Height * width];
        for (int c = 0; c < source.Channels; c++)
        {
            int plane = c * source.Height * source.Width;
            for (int y = 0; y < source.Height; y++)
                for (int x = 0; x < width; x++)
                {
                    var taps = across[x];
                    float sum = 0;
                    for (int k = 0; k < taps.Weights.Length; k++)
                        sum += source.Data[plane + y * source.Width + taps.First + k] * taps.Weights[k];
                    rows[y * width + x] = sum;
                }
            for (int y = 0; y < height; y++)
            {
                var taps = down[y];
                for (int x = 0; x < width; x++)
                {
                    float sum = 0;
                    for (int k = 0; k < taps.Weights.Length; k++)
                        sum += rows[(taps.First + k) * width + x] * taps.Weights[k];
                    result[(c * height + y) * width + x] = (byte)Math.Clamp(MathF.Round(sum, MidpointRounding.ToEven), 0, 255);
                }
            }
        }
        return new PixelPlanes(result, source.Channels, height, width);
    }

    private static Taps[] TapsFor(int inputSize, int outputSize)
    {
        float scale = (float)inputSize / outputSize;
        float support = scale >= 1f ? scale : 1f;
        float inverseScale = scale >= 1f ? 1f / scale : 1f;
        var taps = new Taps[outputSize];
        for (int i = 0; i < outputSize; i++)
        {
            float center = (float)(scale * (i + 0.5));
            int first = Math.Max((int)(center - support + 0.5), 0);
            int count = Math.Min((int)(center + support + 0.5), inputSize) - first;
            var weights = new float[count];
            float total = 0;
            for (int j = 0; j < count; j++)
            {
                float distance = Math.Abs((float)((j + first - center + 0.5) * inverseScale));
                weights[j] = distance < 1f ? 1f - distance : 0f;
                total += weights[j];
            }
            if (total != 0f)
                for (int j = 0; j < count; j++)
                    weights[j] /= total;
            taps[i] = new Taps(first, weights);
        }
        return taps;
    }
}
