using SkiaSharp;

namespace ResNetSharp.Imaging;

/// <summary>Draws a <see cref="HeatMap"/> over the image it explains, in the "jet" colours Grad-CAM figures use.</summary>
public static class HeatMapOverlay
{
    /// <summary>
    /// The image with the map blended over it: each pixel is (1 - <paramref name="opacity"/>) x image +
    /// <paramref name="opacity"/> x jet(value), as RGB bytes (height, width, 3). Grayscale pixels are shown in grey.
    /// </summary>
    public static DecodedImage Blend(PixelPlanes image, HeatMap map, double opacity = 0.5)
    {
        if (image.Height != map.Height || image.Width != map.Width)
            throw new ArgumentException($"the heat map is {map.Width}x{map.Height}; the image is {image.Width}x{image.Height}.", nameof(map));
        if (opacity is < 0 or > 1 || double.IsNaN(opacity))
            throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "expected an opacity in [0, 1].");
        int area = image.Height * image.Width;
        var rgb = new byte[3 * area];
        for (int i = 0; i < area; i++)
        {
            var (r, g, b) = Jet(map.Values[i]);
            for (int c = 0; c < 3; c++)
            {
                byte pixel = image.Data[(image.Channels == 1 ? 0 : c) * area + i];
                double colour = c == 0 ? r : c == 1 ? g : b;
                rgb[3 * i + c] = (byte)Math.Round((1 - opacity) * pixel + opacity * 255 * colour);
            }
        }
        return new DecodedImage(rgb, image.Height, image.Width);
    }

    /// <summary>The overlay of <see cref="Blend"/> encoded as PNG.</summary>
    public static byte[] ToPng(PixelPlanes image, HeatMap map, double opacity = 0.5) => EncodePng(Blend(image, map, opacity));

    /// <summary>RGB pixels as a PNG file's bytes.</summary>
    public static byte[] EncodePng(DecodedImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[4 * image.Width * image.Height];
        for (int source = 0, target = 0; source < image.Rgb.Length; source += 3, target += 4)
        {
            rgba[target] = image.Rgb[source];
            rgba[target + 1] = image.Rgb[source + 1];
            rgba[target + 2] = image.Rgb[source + 2];
            rgba[target + 3] = 255;
        }
        using var pixels = SKImage.FromPixelCopy(info, rgba);
        using var png = pixels.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>MATLAB's jet: dark blue at 0, through cyan, yellow, to dark red at 1 (each channel a clipped tent).</summary>
    public static (double R, double G, double B) Jet(float value)
    {
        double v = float.IsNaN(value) ? 0 : Math.Clamp(value, 0f, 1f);
        static double Tent(double x) => Math.Clamp(1.5 - Math.Abs(x), 0, 1);
        return (Tent(4 * v - 3), Tent(4 * v - 2), Tent(4 * v - 1));
    }
}
