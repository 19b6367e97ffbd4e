using ResNetSharp.Imaging;
using ResNetSharp.Tests.Serving;
using SkiaSharp;

namespace ResNetSharp.Tests.Data;

/// <summary>Decoding uploads: from bytes and from streams that cannot seek, with the pixel cap read from the header.</summary>
public class ImageDecoderStreamTests
{
    /// <summary>A stream that reads in small pieces and cannot seek, as a network body does.</summary>
    private sealed class NetworkStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void BytesAndUnseekableStreamsDecodeAsTheFileDoes(SKEncodedImageFormat format)
    {
        using var folder = new TemporaryFolder();
        string path = TestImages.Write(folder.File("image"), 45, 31, seed: 2, format);
        var bytes = File.ReadAllBytes(path);
        var fromFile = ImageDecoder.Decode(path);

        var fromBytes = ImageDecoder.Decode(bytes, "upload");
        using var stream = new NetworkStream(bytes);
        var fromStream = ImageDecoder.Decode(stream, "upload");
        foreach (var decoded in new[] { fromBytes, fromStream })
        {
            Assert.Equal((31, 45), (decoded.Height, decoded.Width));
            Assert.Equal(fromFile.Rgb, decoded.Rgb);
        }
        Assert.True(stream.CanRead, "the caller's stream is left open");
    }

    [Fact]
    public void ADecompressionBombIsRefusedFromItsHeaderBeforeAnyPixelIsAllocated()
    {
        var bomb = DecompressionBomb.Png(60_000, 60_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var fromBytes = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bomb, "upload"));
        var fromStream = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new NetworkStream(bomb), "upload"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        foreach (var error in new[] { fromBytes, fromStream })
        {
            Assert.Equal(ImageDecodeFailure.TooLarge, error.Failure);
            Assert.Equal("upload: declares 60000x60000 pixels, over the limit of 178956970", error.Message);
        }
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated to refuse a {bomb.Length:N0}-byte file");
    }

    [Fact]
    public void DataThatIsNotAWholeImageIsUndecodableAndNamed()
    {
        using var folder = new TemporaryFolder();
        var png = File.ReadAllBytes(TestImages.Write(folder.File("a.png"), 40, 40, seed: 1));
        var cases = new (byte[] Bytes, string Expected)[]
        {
            ([], "upload: is empty"),
            ("not an image"u8.ToArray(), "upload: not an image SkiaSharp can decode"),
            (png[..(png.Length / 2)], "upload: the image data does not decode (IncompleteInput)"),
        };
        foreach (var (bytes, expected) in cases)
        {
            var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes, "upload"));
            Assert.Equal(ImageDecodeFailure.Undecodable, error.Failure);
            Assert.StartsWith(expected, error.Message);
        }
    }
}
