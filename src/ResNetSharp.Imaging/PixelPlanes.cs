namespace ResNetSharp.Imaging;

/// <summary>8-bit pixels in planar (channels, height, width) order, as a tensor would hold them.</summary>
/// <param name="Data">channels * height * width bytes, one plane per channel.</param>
/// <param name="Channels">3 (RGB) or 1 (luma).</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record PixelPlanes(byte[] Data, int Channels, int Height, int Width)
{
    /// <summary>The planar copy of a decoded (height, width, 3) image.</summary>
    public static PixelPlanes FromImage(DecodedImage image)
    {
        int area = image.Height * image.Width;
        var data = new byte[3 * area];
        for (int i = 0; i < area; i++)
        {
            data[i] = image.Rgb[3 * i];
            data[area + i] = image.Rgb[3 * i + 1];
            data[2 * area + i] = image.Rgb[3 * i + 2];
        }
        return new PixelPlanes(data, 3, image.Height, image.Width);
    }

    /// <summary>PIL's convert("L"): (299 R + 587 G + 114 B + 500) / 1000 in integers.</summary>
    public PixelPlanes ToLuma()
    {
        if (Channels != 3)
            throw new InvalidOperationException($"luma needs 3 channels; these pixels have {Channels}.");
        int area = Height * Width;
        var luma = new byte[area];
        for (int i = 0; i < area; i++)
            luma[i] = (byte)((299 * Data[i] + 587 * Data[area + i] + 114 * Data[2 * area + i] + 500) / 1000);
        return new PixelPlanes(luma, 1, Height, Width);
    }

    /// <summary>
    /// torchvision's CenterCrop: the offsets are rounded half to even, and an image smaller than the
    /// crop is zero-padded around its centre first.
    /// </summary>
    public PixelPlanes CenterCrop(int size)
    {
        int padTop = Math.Max(0, (size - Height) / 2), padLeft = Math.Max(0, (size - Width) / 2);
        int paddedHeight = Math.Max(Height, size), paddedWidth = Math.Max(Width, size);
        int top = (int)Math.Round((paddedHeight - size) / 2.0, MidpointRounding.ToEven) - padTop;
        int left = (int)Math.Round((paddedWidth - size) / 2.0, MidpointRounding.ToEven) - padLeft;
        var cropped = new byte[Channels * size * size];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < size; y++)
            {
                int sourceY = top + y;
                if (sourceY < 0 || sourceY >= Height)
                    continue;
                for (int x = 0; x < size; x++)
                {
                    int sourceX = left + x;
                    if (sourceX >= 0 && sourceX < Width)
                        cropped[(c * size + y) * size + x] = Data[(c * Height + sourceY) * Width + sourceX];
                }
            }
        return new PixelPlanes(cropped, Channels, size, size);
    }

    /// <summary>The box of <paramref name="height"/> x <paramref name="width"/> pixels at (<paramref name="top"/>, <paramref name="left"/>), which must lie inside.</summary>
    public PixelPlanes Crop(int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > Height || left + width > Width)
            throw new ArgumentOutOfRangeException(nameof(top), $"crop box ({top}, {left}, {height}x{width}) is not inside a {Height}x{Width} image.");
        var cropped = new byte[Channels * height * width];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < height; y++)
                Data.AsSpan((c * Height + top + y) * Width + left, width).CopyTo(cropped.AsSpan((c * height + y) * width, width));
        return new PixelPlanes(cropped, Channels, height, width);
    }
}
