using SkiaSharp;

namespace ResNetSharp.Tests.Data;

/// <summary>Writes small images with known, seeded content.</summary>
internal static class TestImages
{
    public static string Write(string path, int width, int height, int seed, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)random.Next(256)));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }
}
