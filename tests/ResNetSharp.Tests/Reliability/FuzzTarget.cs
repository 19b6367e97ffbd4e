using System.Formats.Tar;
using System.IO.Compression;
using ResNetSharp.Data;
using ResNetSharp.Data.Download;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// One file reader under fuzzing: how to make a valid seed file (and any files beside it), how to read a
/// candidate, and the one exception type the reader documents for bad input.
/// </summary>
/// <param name="Name">Shown in test names and the report.</param>
/// <param name="FileName">Where the candidate goes, relative to the case folder.</param>
/// <param name="Error">The reader's documented error type (subclasses count).</param>
/// <param name="CreateSeed">Writes companion files into the folder and returns the valid seed bytes.</param>
/// <param name="Read">Reads the candidate file completely, disposing what it returns.</param>
/// <param name="Encode">Applied to mutated bytes before writing (e.g. gzip, to fuzz the format inside the compression).</param>
internal sealed record FuzzTarget(string Name, string FileName, Type Error, Func<string, byte[]> CreateSeed, Action<string> Read,
    Func<byte[], byte[]>? Encode = null)
{
    public override string ToString() => Name;

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("safetensors", "weights.safetensors", typeof(SafetensorsFormatException), _ => TensorFileBytes(SafetensorsFile.Save),
            path => DisposeAll(SafetensorsFile.Load(path).Tensors)),
        new("pth (zip + pickle)", "weights.pth", typeof(PthFormatException), _ => TensorFileBytes((p, t, _) => PthWriter.Save(p, t)),
            path => DisposeAll(PthFile.Load(path))),
        new("idx (raw)", "images-idx3-ubyte", typeof(InvalidDataException), _ => IdxBytes(), path => IdxFile.Read(path, 3)),
        new("idx (inside gzip)", "images-idx3-ubyte.gz", typeof(InvalidDataException), _ => IdxBytes(), path => IdxFile.Read(path, 3), Gzip),
        new("cifar-10 records", "cifar-10-batches-bin/data_batch_1.bin", typeof(InvalidDataException), CifarSeed,
            path => Cifar.Cifar10.Load(Path.GetDirectoryName(path)!, DatasetSplit.Train).Dispose()),
        new("tar.gz (compressed bytes)", "data.tar.gz", typeof(ArchiveFormatException), _ => Gzip(TarBytes()), Extract),
        new("tar.gz (tar inside gzip)", "data.tar.gz", typeof(ArchiveFormatException), _ => TarBytes(), Extract, Gzip),
        new("png", "image.png", typeof(ImageDecodeException), folder => ImageBytes(folder, SKEncodedImageFormat.Png), path => ImageDecoder.Decode(path)),
        new("jpeg", "image.jpg", typeof(ImageDecodeException), folder => ImageBytes(folder, SKEncodedImageFormat.Jpeg), path => ImageDecoder.Decode(path)),
        new("bmp", "image.bmp", typeof(ImageDecodeException), _ => BmpBytes(13, 9), path => ImageDecoder.Decode(path)),
        new("onnx", "model.onnx", typeof(OnnxModelException), _ => OnnxBytes(), path => OnnxClassifier.Open(path).Dispose()),
        new("npy", "input.npy", typeof(FormatException), NpyBytes, path => NpyFile.ReadFloat32(path)),
    ];

    private static void DisposeAll(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        foreach (var (_, tensor) in tensors)
            tensor.Dispose();
    }

    private static byte[] TensorFileBytes(Action<string, IEnumerable<(string, Tensor)>, IReadOnlyDictionary<string, string>?> save)
    {
        using var folder = new TemporaryFolder();
        using var weight = arange(12, dtype: ScalarType.Float32).view(3, 4);
        using var bias = ones(3, dtype: ScalarType.Float16);
        using var count = tensor(new long[] { 7 });
        save(folder.File("seed"), [("fc.weight", weight), ("fc.bias", bias), ("bn.num_batches_tracked", count)],
            new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(folder.File("seed"));
    }

    private static byte[] IdxBytes() => IdxFileTests.Idx([3, 4, 4], Enumerable.Range(0, 48).Select(i => (byte)i).ToArray());

    private static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
            gzip.Write(content);
        return memory.ToArray();
    }

    private static byte[] CifarSeed(string folder)
    {
        CifarTests.WriteCifar10(folder, perFile: 2);
        return File.ReadAllBytes(Path.Combine(folder, "cifar-10-batches-bin", "data_batch_1.bin"));
    }

    private static byte[] TarBytes()
    {
        using var memory = new MemoryStream();
        using (var tar = new TarWriter(memory, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "data/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/a.bin") { DataStream = new MemoryStream(new byte[700]) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/names.txt") { DataStream = new MemoryStream("cat\ndog\n"u8.ToArray()) });
        }
        return memory.ToArray();
    }

    private static void Extract(string path) =>
        SafeArchiveExtractor.ExtractTarGz(path, Path.Combine(Path.GetDirectoryName(path)!, "extracted"), 1 << 20);

    private static byte[] ImageBytes(string folder, SKEncodedImageFormat format) =>
        File.ReadAllBytes(TestImages.Write(Path.Combine(folder, "seed." + format), 13, 9, seed: 4, format));

    /// <summary>A 24-bit bottom-up BMP (SkiaSharp decodes BMP but does not encode it).</summary>
    private static byte[] BmpBytes(int width, int height)
    {
        int stride = (width * 3 + 3) & ~3;
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            writer.Write("BM"u8);
            writer.Write(54 + stride * height);
            writer.Write(0);
            writer.Write(54);
            writer.Write(40);
            writer.Write(width);
            writer.Write(height);
            writer.Write((short)1);
            writer.Write((short)24);
            writer.Write(0);
            writer.Write(stride * height);
            writer.Write(2835);
            writer.Write(2835);
            writer.Write(0);
            writer.Write(0);
            for (int y = 0; y < height; y++)
            {
                var row = new byte[stride];
                for (int x = 0; x < width * 3; x++)
                    row[x] = (byte)(x * 7 + y * 13);
                writer.Write(row);
            }
        }
        return memory.ToArray();
    }

    private static byte[] OnnxBytes()
    {
        var spec = new ResNetSpec { Block = BlockKind.Basic, Depths = [1, 1], Widths = [4, 8], StemChannels = 4, Stem = StemKind.Cifar, NumClasses = 3 };
        manual_seed(0); // the same seed file every run, so a failing mutation reproduces
        using var model = new ResNet(spec);
        model.eval();
        return OnnxExporter.ToBytes(model, new OnnxExportOptions(8, 8, ClassNames: ["a", "b", "c"], Preprocessing: ImagePreprocessing.ForCrop(8)));
    }

    private static byte[] NpyBytes(string folder)
    {
        string path = Path.Combine(folder, "seed.npy");
        NpyFile.WriteFloat32Array(path, Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), [1, 2, 3, 4]);
        return File.ReadAllBytes(path);
    }
}
