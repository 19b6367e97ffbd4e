namespace ResNetSharp.Imaging;

/// <summary>
/// torchvision's RandomResizedCrop: a box of random area (a fraction in [<paramref name="MinScale"/>,
/// <paramref name="MaxScale"/>] of the image) and random aspect ratio (log-uniform in
/// [<paramref name="MinRatio"/>, <paramref name="MaxRatio"/>]), tried up to 10 times before falling back
/// to the largest centred box within the ratio range; then resized (antialiased bilinear) to
/// <paramref name="Size"/> x <paramref name="Size"/>.
/// </summary>
/// <param name="Size">Output side in pixels.</param>
/// <param name="MinScale">Smallest box area as a fraction of the image (0.08).</param>
/// <param name="MaxScale">Largest box area fraction (1).</param>
/// <param name="MinRatio">Smallest width/height ratio (3/4).</param>
/// <param name="MaxRatio">Largest width/height ratio (4/3).</param>
public sealed record RandomResizedCrop(int Size, double MinScale = 0.08, double MaxScale = 1.0, double MinRatio = 3.0 / 4, double MaxRatio = 4.0 / 3)
{
    /// <summary>A random box (top, left, height, width) inside an image of the given size, as torchvision's get_params.</summary>
    public (int Top, int Left, int Height, int Width) SampleBox(int height, int width, Random random)
    {
        double area = (double)height * width;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * (MinScale + (MaxScale - MinScale) * random.NextDouble());
            double ratio = Math.Exp(logMin + (logMax - logMin) * random.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(targetArea * ratio), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / ratio), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (random.Next(height - h + 1), random.Next(width - w + 1), h, w);
        }
        double inRatio = (double)width / height;
        int boxW = width, boxH = height;
        if (inRatio < MinRatio)
            boxH = (int)Math.Round(width / MinRatio, MidpointRounding.ToEven);
        else if (inRatio > MaxRatio)
            boxW = (int)Math.Round(height * MaxRatio, MidpointRounding.ToEven);
        return ((height - boxH) / 2, (width - boxW) / 2, boxH, boxW);
    }

    /// <summary>Crops a random box of <paramref name="pixels"/> and resizes it to <see cref="Size"/> square.</summary>
    public PixelPlanes Apply(PixelPlanes pixels, Random random)
    {
        var (top, left, h, w) = SampleBox(pixels.Height, pixels.Width, random);
        return AntialiasedResize.Resize(pixels.Crop(top, left, h, w), Size, Size);
    }
}
