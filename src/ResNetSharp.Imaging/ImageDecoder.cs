using SkiaSharp;

namespace ResNetSharp.Imaging;

/// <summary>Decodes JPEG, PNG, BMP (and whatever else SkiaSharp reads) into RGB bytes, from a file, a stream or bytes.</summary>
public static class ImageDecoder
{
    /// <summary>PIL refuses images over twice its 89,478,485-pixel warning limit; we refuse the same.</summary>
    public const long DefaultMaxPixels = 178_956_970;

    /// <summary>Largest encoded image read from a stream: 1 GiB (MemoryStream's own bound is 2 GiB).</summary>
    public const long DefaultMaxEncodedBytes = 1L << 30;

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
        using var codec = SKCodec.Create(path, out var result);
        return Decode(codec, result, path, maxPixels);
    }

    /// <summary>
    /// Decodes an encoded image held in memory (an HTTP upload, say); <paramref name="source"/> names it in
    /// errors. The declared size is checked against <paramref name="maxPixels"/> from the header alone.
    /// </summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, string source, long maxPixels = DefaultMaxPixels)
    {
        if (encoded.IsEmpty)
            throw new ImageDecodeException(source, "is empty; expected an encoded image");
        using var data = SKData.CreateCopy(encoded);
        using var memory = new SKMemoryStream(data);
        using var codec = SKCodec.Create(memory, out var result);
        return Decode(codec, result, source, maxPixels);
    }

    /// <summary>
    /// Decodes an encoded image read to its end from <paramref name="stream"/> (which need not be
    /// seekable and is left open); <paramref name="source"/> names it in errors. The encoded bytes are
    /// held in memory, at most <paramref name="maxBytes"/> of them; the pixel count is checked from the
    /// header before any pixel is decoded.
    /// </summary>
    public static DecodedImage Decode(Stream stream, string source, long maxPixels = DefaultMaxPixels, long maxBytes = DefaultMaxEncodedBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // SkiaSharp's own stream adapters mishandle unseekable streams (wrong data, even native aborts): read the bytes first.
        using var encoded = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (encoded.Length + read > maxBytes)
                throw new ImageDecodeException(source, $"is over {maxBytes} bytes, the limit for an encoded image", ImageDecodeFailure.TooLarge);
            encoded.Write(chunk, 0, read);
        }
        return Decode(encoded.GetBuffer().AsSpan(0, (int)encoded.Length), source, maxPixels);
    }

    private static DecodedImage Decode(SKCodec? codec, SKCodecResult created, string source, long maxPixels)
    {
        if (codec is null)
            throw new ImageDecodeException(source, $"not an image SkiaSharp can decode ({created})");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException(source, $"declares an empty image ({info.Width}x{info.Height})");
        if ((long)info.Width * info.Height > maxPixels)
            throw new ImageDecodeException(source, $"declares {info.Width}x{info.Height} pixels, over the limit of {maxPixels}", ImageDecodeFailure.TooLarge);

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var decoded = codec.GetPixels(target, out byte[] rgba);
        if (decoded != SKCodecResult.Success)
            throw new ImageDecodeException(source, $"the image data does not decode ({decoded})");
        var rgb = new byte[info.Width * info.Height * 3];
        for (int from = 0, to = 0; to < rgb.Length; from += 4, to += 3)
        {
            rgb[to] = rgba[from];
            rgb[to + 1] = rgba[from + 1];
            rgb[to + 2] = rgba[from + 2];
        }
        return new DecodedImage(rgb, info.Height, info.Width);
    }
}
