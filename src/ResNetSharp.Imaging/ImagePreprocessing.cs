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

    /// <summary>The largest crop or resize side, in pixels (a square crop of it is 67 million pixels).</summary>
    public const int MaxSide = 8192;

    /// <summary>Resize 256, crop 224, ImageNet mean/std.</summary>
    public static ImagePreprocessing ImageNet { get; } = new(256, 224, ImageNetMean, ImageNetStd);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The form stored in weight and ONNX metadata: <c>{"resizeTo":256,"cropTo":224,"mean":[...],"std":[...],"grayscale":false}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Reads <see cref="ToJson"/>'s form and checks it (<see cref="Problem"/>): the one validation for
    /// preprocessing read from weights and from ONNX metadata. Throws a <see cref="JsonException"/>, or a
    /// <see cref="FormatException"/> saying what is wrong ("null", a missing list, a zero std, a crop of -1...).
    /// </summary>
    public static ImagePreprocessing FromJson(string json)
    {
        var preprocessing = JsonSerializer.Deserialize<ImagePreprocessing>(json, Json) ?? throw new FormatException("preprocessing is null");
        return preprocessing.Problem() is { } problem ? throw new FormatException(problem) : preprocessing;
    }

    /// <summary>
    /// What makes these settings unusable, or null: the crop must be 1 to <see cref="MaxSide"/>, the resize 0
    /// to <see cref="MaxSide"/>, mean and std one value or one per RGB channel, finite, and every std above zero
    /// (a zero std divides by zero: every prediction would be NaN).
    /// </summary>
    public string? Problem()
    {
        if (CropTo is < 1 or > MaxSide)
            return $"cropTo is {CropTo}; expected 1 to {MaxSide}";
        if (ResizeTo is < 0 or > MaxSide)
            return $"resizeTo is {ResizeTo}; expected 0 (none) to {MaxSide}";
        foreach (var (name, values) in new[] { ("mean", Mean), ("std", Std) })
        {
            if (values is null || values.Count is not (1 or 3))
                return $"{name} has {values?.Count.ToString() ?? "no"} values; expected 1 or 3";
            if (values.Any(v => !double.IsFinite(v)))
                return $"{name} is [{string.Join(", ", values)}]; expected finite numbers";
        }
        return Std.Any(v => v <= 0) ? $"std is [{string.Join(", ", Std)}]; expected values above zero" : null;
    }

    /// <summary>The ImageNet ratio (256/224) for another crop size (1 to <see cref="MaxSide"/>).</summary>
    public static ImagePreprocessing ForCrop(int crop) =>
        crop is >= 1 and <= MaxSide
            ? new((int)Math.Floor(crop * 256.0 / 224.0), crop, ImageNetMean, ImageNetStd)
            : throw new ArgumentOutOfRangeException(nameof(crop), crop, $"The crop size must be 1 to {MaxSide}; got {crop}.");

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

    /// <summary>
    /// Resized and centre-cropped pixels: (3 or 1, CropTo, CropTo). Only the part of the resized image that
    /// the crop keeps is computed, so an elongated image (a 1x100000 strip) costs what a square one does.
    /// </summary>
    public PixelPlanes ResizeAndCrop(DecodedImage image)
    {
        var pixels = PixelPlanes.FromImage(image);
        if (Grayscale)
            pixels = pixels.ToLuma();
        if (ResizeTo > 0)
        {
            var (height, width) = ResizedSize(pixels.Height, pixels.Width, ResizeTo, image.Source);
            var (top, rows) = CropWindow(height, CropTo);
            var (left, columns) = CropWindow(width, CropTo);
            if (height != pixels.Height || width != pixels.Width)
                pixels = AntialiasedResize.ResizeWindow(pixels, height, width, top, left, rows, columns);
        }
        return pixels.CenterCrop(CropTo);
    }

    /// <summary>The part of an axis a centre crop keeps (torchvision's offset, rounded half to even), or all of it when shorter than the crop.</summary>
    private static (int Start, int Length) CropWindow(int size, int crop) =>
        size >= crop ? ((int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven), crop) : (0, size);

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
        var (height, width) = ResizedSize(pixels.Height, pixels.Width, size, null);
        return height == pixels.Height && width == pixels.Width ? pixels : AntialiasedResize.Resize(pixels, height, width);
    }

    /// <summary>
    /// The size after resizing the shorter side to <paramref name="size"/> (the longer side truncated, as
    /// torchvision does). A longer side past 2^31 - 1 pixels is an <see cref="ImageDecodeException"/> naming <paramref name="source"/>.
    /// </summary>
    private static (int Height, int Width) ResizedSize(int height, int width, int size, string? source)
    {
        double longer = size * (double)Math.Max(height, width) / Math.Min(height, width);
        if (longer >= int.MaxValue)
            throw new ImageDecodeException(source ?? "image",
                $"a {width}x{height} image resized to a shorter side of {size} would be {longer:E2} pixels long, more than a side can be");
        return height <= width ? (size, (int)(size * (double)width / height)) : ((int)(size * (double)height / width), size);
    }
}
