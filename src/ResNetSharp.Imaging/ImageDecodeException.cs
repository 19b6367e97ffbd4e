namespace ResNetSharp.Imaging;

/// <summary>An image file that could not be decoded, or that is refused (too many pixels); the message names the file.</summary>
public sealed class ImageDecodeException(string path, string problem)
    : FormatException($"{path}: {problem}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
}
