using System.Text.Json;

namespace ResNetSharp.Imaging;

/// <summary>
/// torchvision's eval transform: resize the shorter side (bilinear, antialiased), centre-crop, and
/// normalise; the defaults are ImageNet's (256, 224, mean/std). Resizing and cropping keep uint8
/// pixels, as PIL does, so the same images can be stored compactly before normalising. Plain C#, so
/// training (TorchSharp) and deployment (ONNX Runtime) prepare images identically.
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

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The form stored in weight and ONNX metadata: <c>{"resizeTo":256,"cropTo":224,"mean":[...],"std":[...],"grayscale":false}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads <see cref="ToJson"/>'s form; throws a <see cref="JsonException"/>, or a FormatException for "null" or a missing mean or std.</summary>
    public static ImagePreprocessing FromJson(string json)
    {
        var preprocessing = JsonSerializer.Deserialize<ImagePreprocessing>(json, Json) ?? throw new FormatException("preprocessing is null");
        return preprocessing.Mean is null || preprocessing.Std is null
            ? throw new FormatException("preprocessing needs \"mean\" and \"std\" lists")
            : preprocessing;
    }

    /// <summary>The ImageNet ratio (256/224) for another crop size.</summary>
    public static ImagePreprocessing ForCrop(int crop) =>
        new((int)Math.Floor(crop * 256.0 / 224.0), crop, ImageNetMean, ImageNetStd);

    /// <summary>The same mean, std and grayscale at another crop size, resized by the ImageNet ratio (256/224).</summary>
    public ImagePreprocessing WithCrop(int crop) =>
        ForCrop(crop) with { Mean = Mean, Std = Std, Grayscale = Grayscale };

    /// <summary>
    /// The model input for one image: resized, centre-cropped and normalised float32 values laid out
    /// (<paramref name="channels"/>, <see cref="CropTo"/>, <see cref="CropTo"/>).
    /// </summary>
    public float[] Prepare(DecodedImage image, int channels)
    {
        var input = new float[channels * CropTo * CropTo];
        Normalize(ResizeAndCrop(image), input, channels);
        return input;
    }

    /// <summary>Resized and centre-cropped pixels: (3 or 1, CropTo, CropTo).</summary>
    public PixelPlanes ResizeAndCrop(DecodedImage image)
    {
        var pixels = PixelPlanes.FromImage(image);
        if (Grayscale)
            pixels = pixels.ToLuma();
        if (ResizeTo > 0)
            pixels = ResizeShorterSide(pixels, ResizeTo);
        return pixels.CenterCrop(CropTo);
    }

    /// <summary>
    /// Writes <c>(pixel / 255 - mean) / std</c> for every pixel into <paramref name="destination"/>
    /// (planar, float32), repeating a single channel when <paramref name="channels"/> is 3.
    /// </summary>
    public void Normalize(PixelPlanes pixels, Span<float> destination, int channels)
    {
        int area = pixels.Height * pixels.Width;
        if (destination.Length < channels * area)
            throw new ArgumentException($"destination holds {destination.Length} values; {channels}x{pixels.Height}x{pixels.Width} needs {channels * area}.", nameof(destination));
        if (pixels.Channels != channels && pixels.Channels != 1)
            throw new ArgumentException($"pixels have {pixels.Channels} channels; the model takes {channels}.", nameof(pixels));
        for (int c = 0; c < channels; c++)
        {
            int from = pixels.Channels == 1 ? 0 : c;
            float mean = (float)Mean[from % Mean.Count], std = (float)Std[from % Std.Count];
            var plane = pixels.Data.AsSpan(from * area, area);
            var target = destination.Slice(c * area, area);
            for (int i = 0; i < area; i++)
                target[i] = (plane[i] / 255f - mean) / std;
        }
    }

    /// <summary>Resizes so the shorter side is <paramref name="size"/>; the longer side is truncated as torchvision does.</summary>
    public static PixelPlanes ResizeShorterSide(PixelPlanes pixels, int size)
    {
        int height = pixels.Height, width = pixels.Width;
        int newHeight = height <= width ? size : (int)(size * (double)height / width);
        int newWidth = height <= width ? (int)(size * (double)width / height) : size;
        return newHeight == height && newWidth == width ? pixels : AntialiasedResize.Resize(pixels, newHeight, newWidth);
    }
}
