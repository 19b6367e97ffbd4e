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

    public static PixelPlanes Resize(PixelPlanes source, int height, int width) => ResizeWindow(source, height, width, 0, 0, height, width);

    /// <summary>
    /// Rows <paramref name="top"/>.. and columns <paramref name="left"/>.. (<paramref name="rows"/> x <paramref name="columns"/>)
    /// of <paramref name="source"/> resized to <paramref name="height"/> x <paramref name="width"/>, with exactly the values
    /// the full resize has there, computed without the rest: a centre crop of a very elongated image costs only the crop.
    /// </summary>
    public static PixelPlanes ResizeWindow(PixelPlanes source, int height, int width, int top, int left, int rows, int columns)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"resize target must be at least 1x1; got {height}x{width}.");
        if (top < 0 || left < 0 || rows < 1 || columns < 1 || (long)top + rows > height || (long)left + columns > width)
            throw new ArgumentOutOfRangeException(nameof(top), $"window ({top}, {left}, {rows}x{columns}) is not inside {height}x{width}.");
        var across = TapsFor(source.Width, width, left, columns);
        var down = TapsFor(source.Height, height, top, rows);
        // Only the source rows that the window's output rows read go through the width pass.
        int firstRow = down.Min(t => t.First), endRow = down.Max(t => t.First + t.Weights.Length);
        var result = new byte[source.Channels * rows * columns];
        var widened = new float[Math.Max(endRow - firstRow, 0) * columns];
        for (int c = 0; c < source.Channels; c++)
        {
            int plane = c * source.Height * source.Width;
            for (int y = firstRow; y < endRow; y++)
                for (int x = 0; x < columns; x++)
                {
                    var taps = across[x];
                    float sum = 0;
                    for (int k = 0; k < taps.Weights.Length; k++)
                        sum += source.Data[plane + y * source.Width + taps.First + k] * taps.Weights[k];
                    widened[(y - firstRow) * columns + x] = sum;
                }
            for (int y = 0; y < rows; y++)
            {
                var taps = down[y];
                for (int x = 0; x < columns; x++)
                {
                    float sum = 0;
                    for (int k = 0; k < taps.Weights.Length; k++)
                        sum += widened[(taps.First - firstRow + k) * columns + x] * taps.Weights[k];
                    result[(c * rows + y) * columns + x] = (byte)Math.Clamp(MathF.Round(sum, MidpointRounding.ToEven), 0, 255);
                }
            }
        }
        return new PixelPlanes(result, source.Channels, rows, columns);
    }

    /// <summary>The taps of output positions <paramref name="start"/>.. (<paramref name="count"/> of them) of a resize from <paramref name="inputSize"/> to <paramref name="outputSize"/>.</summary>
    private static Taps[] TapsFor(int inputSize, int outputSize, int start, int count)
    {
        float scale = (float)inputSize / outputSize;
        float support = scale >= 1f ? scale : 1f;
        float inverseScale = scale >= 1f ? 1f / scale : 1f;
        var taps = new Taps[count];
        for (int i = start; i < start + count; i++)
        {
            float center = (float)(scale * (i + 0.5));
            int first = Math.Max((int)(center - support + 0.5), 0);
            int length = Math.Min((int)(center + support + 0.5), inputSize) - first;
            var weights = new float[length];
            float total = 0;
            for (int j = 0; j < length; j++)
            {
                float distance = Math.Abs((float)((j + first - center + 0.5) * inverseScale));
                weights[j] = distance < 1f ? 1f - distance : 0f;
                total += weights[j];
            }
            if (total != 0f)
                for (int j = 0; j < length; j++)
                    weights[j] /= total;
            taps[i - start] = new Taps(first, weights);
        }
        return taps;
    }
}
