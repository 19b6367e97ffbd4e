using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

/// <summary>The plain C# preprocessing (shared with ONNX inference) against libtorch's own kernels.</summary>
public class PixelPreprocessingTests
{
    [Theory]
    [InlineData(301, 217, 64, 91)]   // shrink both sides by non-integer factors
    [InlineData(40, 30, 256, 341)]   // enlarge
    [InlineData(97, 97, 97, 33)]     // one side unchanged
    [InlineData(500, 375, 256, 341)] // a typical photo to ImageNet's eval size
    public void ResizeMatchesLibtorchAntialiasedBilinear(int height, int width, int newHeight, int newWidth)
    {
        var random = new Random(height * 1000 + width);
        var data = new byte[3 * height * width];
        random.NextBytes(data);
        var pixels = new PixelPlanes(data, 3, height, width);

        var ours = AntialiasedResize.Resize(pixels, newHeight, newWidth).Data;
        using var source = pixels.ToTensor().unsqueeze(0).to(ScalarType.Float32);
        using var resized = nn.functional.interpolate(source, [newHeight, newWidth], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        using var expected = resized.round().clamp(0, 255).to(ScalarType.Byte).flatten();
        var reference = expected.data<byte>().ToArray();

        int different = ours.Zip(reference).Count(p => p.First != p.Second);
        int largest = ours.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(largest <= 1, $"largest difference {largest}");
        Assert.True(different <= reference.Length / 1000, $"{different} of {reference.Length} pixels differ by one");
    }

    [Theory]
    [InlineData(9, 700, 16, 12)]    // wide: only the centre columns are resized
    [InlineData(700, 9, 16, 12)]    // tall
    [InlineData(30, 41, 12, 16)]    // resized shorter than the crop: padded, as before
    [InlineData(50, 50, 0, 16)]     // no resize
    public void ResizeAndCropComputesOnlyTheCropButEqualsTheFullResizeCropped(int height, int width, int resize, int crop)
    {
        var random = new Random(height * 31 + width);
        var rgb = new byte[3 * height * width];
        random.NextBytes(rgb);
        var preprocessing = new ImagePreprocessing(resize, crop, ImagePreprocessing.ImageNetMean, ImagePreprocessing.ImageNetStd);
        var windowed = preprocessing.ResizeAndCrop(new DecodedImage(rgb, height, width));
        var planes = PixelPlanes.FromImage(new DecodedImage(rgb, height, width));
        var full = (resize > 0 ? ImagePreprocessing.ResizeShorterSide(planes, resize) : planes).CenterCrop(crop);
        Assert.Equal(full.Data, windowed.Data);
    }

    [Fact]
    public void AOneByHundredThousandStripCostsNoMoreThanItsCrop()
    {
        var strip = new DecodedImage(Enumerable.Range(0, 3 * 100_000).Select(i => (byte)i).ToArray(), 1, 100_000);
        // Resized in full, the shorter side of 256 makes it 256 x 25,600,000 pixels (6.5 billion bytes).
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var pixels = ImagePreprocessing.ImageNet.ResizeAndCrop(strip);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal((3, 224, 224), (pixels.Channels, pixels.Height, pixels.Width));
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void CenterCropPadsSmallImagesAroundTheCentreLikeTorchvision()
    {
        // 3 rows, 4 columns cropped to 5: padding top 1 and left 0 (integer halves), then round-half-even offsets.
        var pixels = new PixelPlanes(Enumerable.Range(1, 12).Select(v => (byte)v).ToArray(), 1, 3, 4);
        var cropped = pixels.CenterCrop(5);
        byte[] expected =
        [
            0, 0, 0, 0, 0,
            1, 2, 3, 4, 0,
            5, 6, 7, 8, 0,
            9, 10, 11, 12, 0,
            0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, cropped.Data);
    }

    [Fact]
    public void NormalizeEqualsTheTensorPathBitForBitAndRepeatsGrayChannels()
    {
        var data = Enumerable.Range(0, 2 * 3 * 3).Select(v => (byte)(v * 14)).ToArray();
        var luma = new PixelPlanes(data[..9], 1, 3, 3);
        var preprocessing = new ImagePreprocessing(0, 3, [0.5], [0.25]);
        var ours = new float[27];
        preprocessing.Normalize(luma, ours, channels: 3);

        using var expected = preprocessing.Normalize(luma.ToTensor().unsqueeze(0), CPU).flatten();
        var reference = expected.data<float>().ToArray();
        Assert.Equal(reference, ours[..9]);
        Assert.Equal(ours[..9], ours[9..18]);
        Assert.Equal(ours[..9], ours[18..]);
    }
}
