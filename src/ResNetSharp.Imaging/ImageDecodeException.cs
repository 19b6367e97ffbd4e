namespace ResNetSharp.Imaging;

/// <summary>An image that could not be decoded, or that is refused (too many pixels); the message names its source.</summary>
public sealed class ImageDecodeException(string path, string problem, ImageDecodeFailure failure = ImageDecodeFailure.Undecodable)
    : FormatException($"{path}: {problem}")
{
    /// <summary>The file, or the name given for a stream or bytes (e.g. "upload cat.jpg").</summary>
    public string Path { get; } = path;

    /// <summary>Why: a server answers a refused size differently from data that is not an image.</summary>
    public ImageDecodeFailure Failure { get; } = failure;
}

/// <summary>Why an image was not decoded.</summary>
public enum ImageDecodeFailure
{
    /// <summary>Not an image format SkiaSharp knows, or its data is damaged or truncated.</summary>
    Undecodable,

    /// <summary>The header declares more pixels than allowed (a decompression bomb, or simply too large), or the encoded data is over its byte limit.</summary>
    TooLarge,
}
