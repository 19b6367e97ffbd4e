using static TorchSharp.torch;

namespace ResNetSharp.Data.Images;

/// <summary>
/// torchvision's eval transform: resize the shorter side (bilinear, antialiased), centre-crop, and
/// normalise; the defaults are ImageNet's (256, 224, mean/std). Resizing and cropping keep uint8
/// pixels, as PIL does, so the same images can be stored in an <see cref="ImageDataset"/>.
/// </summary>
/// <param name="ResizeTo">Length of the shorter side after resizing (0: no resize).</param>
/// <param name="CropTo">Side of the square centre crop.</param>
/// <param name="Mean">Per-channel mean of pixels in [0, 1].</param>
/// <param name="Std">Per-channel standard deviation.</param>
/// <param name="Grayscale">Convert to one luma channel (PIL's "L": 0.299 R + 0.587 G + 0.114 B) for grayscale models.</param>
public sealed record ImagePreprocessing(int ResizeTo, int CropTo, IReadOnlyList<double> Mean, IReadOnlyList<double> Std, bool Grayscale = false)
{
    /// <summary>ImageNet statistics, as torchvision's weights expect.</summary>
    public static readonly IReadOnlyList<double> ImageNetMean = [0.485, 0.456, 0.406];

    /// <summary>ImageNet standard deviations.</summary>
    public static readonly IReadOnlyList<double> ImageNetStd = [0.229, 0.224, 0.225];

    /// <summary>Resize 256, crop 224, ImageNet mean/std.</summary>
    public static ImagePreprocessing ImageNet { get; } = new(256, 224, ImageNetMean, ImageNetStd);

    /// <summary>The ImageNet ratio (256/224) for another crop size.</summary>
    public static ImagePreprocessing ForCrop(int crop) =>
        new((int)Math.Floor(crop * 256.0 / 224.0), crop, ImageNetMean, ImageNetStd);

    /// <summary>Resized and centre-cropped pixels, uint8 (3 or 1, CropTo, CropTo), on the CPU.</summary>
    public Tensor ResizeAndCrop(DecodedImage image)
    {
        using var scope = NewDisposeScope();
        var pixels = tensor(image.Rgb, [image.Height, image.Width, 3]).permute(2, 0, 1);
        if (Grayscale)
            pixels = ToLuma(pixels);
        if (ResizeTo > 0)
            pixels = ResizeShorterSide(pixels, ResizeTo);
        return CenterCrop(pixels, CropTo).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>uint8 (N, 3, H, W) to normalised float32 on <paramref name="device"/>.</summary>
    public Tensor Normalize(Tensor pixels, Device device)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(Mean.Select(v => (float)v).ToArray(), device: device).view(1, -1, 1, 1);
        var std = tensor(Std.Select(v => (float)v).ToArray(), device: device).view(1, -1, 1, 1);
        return ((pixels.to(device).to(ScalarType.Float32) / 255f - mean) / std).MoveToOuterDisposeScope();
    }

    private static Tensor ToLuma(Tensor rgb)
    {
        var weights = tensor(new[] { 299, 587, 114 }, [3, 1, 1]);
        // Integer arithmetic with rounding, as PIL's convert("L") does.
        return ((rgb.to(ScalarType.Int32) * weights).sum(0, keepdim: true) + 500).div(1000, RoundingMode.floor).to(ScalarType.Byte);
    }

    /// <summary>Resizes (C, H, W) uint8 so the shorter side is <paramref name="size"/>; the longer side is truncated as torchvision does.</summary>
    public static Tensor ResizeShorterSide(Tensor pixels, int size)
    {
        long height = pixels.shape[1], width = pixels.shape[2];
        long newHeight = height <= width ? size : (long)(size * (double)height / width);
        long newWidth = height <= width ? (long)(size * (double)width / height) : size;
        if (newHeight == height && newWidth == width)
            return pixels;
        return Resize(pixels, newHeight, newWidth);
    }

    /// <summary>Bilinear, antialiased resize of (C, H, W) uint8 to (C, height, width) uint8.</summary>
    public static Tensor Resize(Tensor pixels, long height, long width)
    {
        using var scope = NewDisposeScope();
        var resized = nn.functional.interpolate(pixels.unsqueeze(0).to(ScalarType.Float32), [height, width],
            mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return resized.squeeze(0).round().clamp(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's CenterCrop: offsets rounded, zero padding when the image is smaller.</summary>
    public static Tensor CenterCrop(Tensor pixels, int size)
    {
        long height = pixels.shape[1], width = pixels.shape[2];
        if (height < size || width < size)
        {
            long padTop = Math.Max(0, (size - height) / 2), padLeft = Math.Max(0, (size - width) / 2);
            long padBottom = Math.Max(0, size - height - padTop), padRight = Math.Max(0, size - width - padLeft);
            pixels = nn.functional.pad(pixels, [padLeft, padRight, padTop, padBottom]);
            height = pixels.shape[1];
            width = pixels.shape[2];
        }
        long top = (long)Math.Round((height - size) / 2.0, MidpointRounding.ToEven);
        long left = (long)Math.Round((width - size) / 2.0, MidpointRounding.ToEven);
        return pixels[.., (int)top..(int)(top + size), (int)left..(int)(left + size)];
    }
}
