namespace ResNetSharp.Imaging;

/// <summary>Pixels of one image: RGB, 8 bits per channel, row-major (height, width, 3).</summary>
/// <param name="Rgb">height * width * 3 bytes.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record DecodedImage(byte[] Rgb, int Height, int Width)
{
    /// <summary>The file it was decoded from, for messages about it; null for pixels made in memory.</summary>
    public string? Source { get; init; }
}
