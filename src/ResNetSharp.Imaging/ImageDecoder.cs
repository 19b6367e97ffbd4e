using SkiaSharp;

namespace ResNetSharp.Imaging;

/// <summary>Decodes JPEG, PNG, BMP (and whatever else SkiaSharp reads) into RGB bytes, from a file, a stream or bytes.</summary>
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
    /// Decodes an encoded image read from <paramref name="stream"/> (which need not be seekable and is
    /// left open); <paramref name="source"/> names it in errors. Only the header is read before the size check.
    /// </summary>
    public static DecodedImage Decode(Stream stream, string source, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // A codec rewinds after sniffing the format; a front buffer gives unseekable streams that rewind.
        using var buffered = stream.CanSeek ? null : new SKFrontBufferedStream(stream, SKCodec.MinBufferedBytesNeeded, disposeUnderlyingStream: false);
        using var managed = new SKManagedStream(buffered ?? stream, disposeManagedStream: false);
        using var codec = SKCodec.Create(managed, out var result);
        return Decode(codec, result, source, maxPixels);
    }

    private static DecodedImage Decode(SKCodec? codec, SKCodecResult created, string source, long maxPixels)
    {
        if (codec is null)
            throw new ImageDecodeException(source, $"not an image SkiaSharp can decode ({created})");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException(source, $"declares an empty image ({info.Width}x{info.Height})");
        if ((long)info.Width * info.Height > maxPixels)
            throw new ImageDecodeException(source, $"declares {info.Width}x{info.Height} pixels, over the limit of {maxPixels}", ImageDecodeFailure.TooManyPixels);

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
