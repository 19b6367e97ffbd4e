using ResNetSharp.Imaging;

namespace ResNetSharp.Tests.Data;

public class RandomResizedCropTests
{
    [Fact]
    public void BoxesLieInsideTheImageWithinTheScaleAndRatioRanges()
    {
        var crop = new RandomResizedCrop(224);
        var random = new Random(1);
        var areas = new List<double>();
        for (int i = 0; i < 2000; i++)
        {
            var (top, left, h, w) = crop.SampleBox(600, 800, random);
            Assert.InRange(top, 0, 600 - h);
            Assert.InRange(left, 0, 800 - w);
            double area = (double)h * w / (600 * 800);
            Assert.InRange(area, 0.08 * 0.97, 1.0);
            Assert.InRange((double)w / h, 0.75 * 0.97, 4.0 / 3 * 1.03);
            areas.Add(area);
        }
        // Draws of large area with extreme ratios are rejected and redrawn; torchvision's get_params on a
        // 600x800 image gives a mean area fraction of 0.434 over 20,000 draws.
        Assert.InRange(areas.Average(), 0.41, 0.46);
        Assert.True(areas.Min() < 0.12 && areas.Max() > 0.95);
    }

    [Theory]
    [InlineData(10, 1000, 0, 493, 10, 13)] // too wide for any 3:4-4:3 box: the centred 4:3 box of full height
    [InlineData(1000, 10, 493, 0, 13, 10)] // too tall: the centred 3:4 box of full width
    public void AnImpossibleAspectFallsBackToTheCentredBoxLikeTorchvision(int height, int width, int top, int left, int h, int w)
    {
        var box = new RandomResizedCrop(32).SampleBox(height, width, new Random(0));
        Assert.Equal((top, left, h, w), box);
    }

    [Fact]
    public void ApplyResizesTheSampledBoxAndIsReproducibleFromTheSeed()
    {
        var pixels = PixelPlanes.FromImage(ImageDecoder.Decode(TestImages.Write(Path.Combine(Path.GetTempPath(), $"rrc-{Guid.NewGuid():N}.png"), 57, 41, 3)));
        var crop = new RandomResizedCrop(24);
        var output = crop.Apply(pixels, new Random(9));
        Assert.Equal((3, 24, 24), (output.Channels, output.Height, output.Width));

        var (top, left, h, w) = crop.SampleBox(41, 57, new Random(9));
        var expected = AntialiasedResize.Resize(pixels.Crop(top, left, h, w), 24, 24);
        Assert.Equal(expected.Data, output.Data);
        Assert.Equal(output.Data, crop.Apply(pixels, new Random(9)).Data);
    }

    [Fact]
    public void CropCopiesTheBoxAndRefusesBoxesOutsideTheImage()
    {
        var data = Enumerable.Range(0, 2 * 4 * 5).Select(i => (byte)i).ToArray();
        var pixels = new PixelPlanes(data, 2, 4, 5);
        var box = pixels.Crop(1, 2, 2, 3);
        Assert.Equal(new byte[] { 7, 8, 9, 12, 13, 14, 27, 28, 29, 32, 33, 34 }, box.Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => pixels.Crop(3, 0, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => pixels.Crop(0, -1, 2, 2));
    }
}
