using SkiaSharp;

namespace ResNetSharp.Imaging;

/// <summary>Decodes JPEG, PNG, BMP (and whatever else SkiaSharp reads) into RGB bytes.</summary>
public static class ImageDecoder
{
    /// <summary>PIL refuses images over twice its 89,478,485-pixel warning limit; we refuse the same.</summary>
    public const long DefaultMaxPixels = 178_956_970;

    /// <summary>File extensions that image folders pick up (lower case).</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// Decodes <paramref name="path"/>. The header's declared size is checked against
    /// <paramref name="maxPixels"/> before any pixel memory is allocated.
    /// </summary>
    public static DecodedImage Decode(string path, long maxPixels = DefaultMaxPixels)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image not found: {path}", path);
        using var codec = SKCodec.Create(path, out var result)
            ?? throw new ImageDecodeException(path, $"not an image SkiaSharp can decode ({result})");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException(path, $"declares an empty image ({info.Width}x{info.Height})");
        if ((long)info.Width * info.Height > maxPixels)
            throw new ImageDecodeException(path, $"declares {info.Width}x{info.Height} pixels, over the limit of {maxPixels}");

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var decoded = codec.GetPixels(target, out byte[] rgba);
        if (decoded != SKCodecResult.Success)
            throw new ImageDecodeException(path, $"the image data does not decode ({decoded})");
        var rgb = new byte[info.Width * info.Height * 3];
        for (int source = 0, destination = 0; destination < rgb.Length; source += 4, destination += 3)
        {
            rgb[destination] = rgba[source];
            rgb[destination + 1] = rgba[source + 1];
            rgb[destination + 2] = rgba[source + 2];
        }
        return new DecodedImage(rgb, info.Height, info.Width);
    }
}
