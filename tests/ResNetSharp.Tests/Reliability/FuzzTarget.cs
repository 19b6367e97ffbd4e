using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ResNetSharp.Data;
using ResNetSharp.Data.Download;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pth;
using ResNetSharp.IO;
using ResNetSharp.Models;
using ResNetSharp.Search;
using ResNetSharp.Tests.Data;
using ResNetSharp.Training;
using ResNetSharp.Zoo;
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
/// <param name="Json">The seed is JSON: half the inputs are structural mutations (<see cref="JsonMutator"/>), half byte mutations.</param>
internal sealed record FuzzTarget(string Name, string FileName, Type Error, Func<string, byte[]> CreateSeed, Action<string> Read,
    Func<byte[], byte[]>? Encode = null, bool Json = false)
{
    public override string ToString() => Name;

    /// <summary>Input <paramref name="index"/>: a seeded mutation of <paramref name="seed"/>.</summary>
    public byte[] Mutate(byte[] seed, int index)
    {
        int mutationSeed = MutationSeed(index);
        return Json && index % 2 == 0 && JsonMutator.Mutate(seed, mutationSeed) is { } mutated
            ? mutated
            : ByteMutator.Mutate(seed, mutationSeed);
    }

    /// <summary>The mutation seed of input <paramref name="index"/>: stable across runs and processes (FNV-1a of the name, not the salted string hash).</summary>
    public int MutationSeed(int index)
    {
        uint hash = 2166136261;
        foreach (char c in Name)
            hash = (hash ^ c) * 16777619;
        return (int)(hash ^ (uint)index * 2654435761u) & int.MaxValue;
    }

    public static FuzzTarget Named(string name) =>
        All.Concat(Commands).SingleOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target '{name}'", nameof(name));

    // Declared before All, whose readers use them.
    private static readonly ResNetSpec TinySpec = HostileFiles.TinySpec;

    private static readonly TrainingConfig ConfigSeed = new()
    {
        Model = "resnet18_cifar", Schedule = new() { Epochs = 2 }, Optimization = new() { BatchSize = 16 }, Data = new() { TrainLimit = 100 },
    };

    private static readonly Lazy<byte[]> SafetensorsSeed = new(() => TensorFileBytes(SafetensorsFile.Save));
    private static readonly Lazy<byte[]> PthSeed = new(() => TensorFileBytes((p, t, _) => PthWriter.Save(p, t)));
    private static readonly Lazy<byte[]> ModelWeightsSeed = new(ModelWeightsBytes);

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("safetensors", "weights.safetensors", typeof(SafetensorsFormatException), _ => TensorFileBytes(SafetensorsFile.Save),
            path => DisposeAll(SafetensorsFile.Load(path).Tensors)),
        new("safetensors (header JSON)", "weights.safetensors", typeof(SafetensorsFormatException),
            _ => SafetensorsParts(SafetensorsSeed.Value).Header, path => DisposeAll(SafetensorsFile.Load(path).Tensors),
            header => WithSafetensorsHeader(header, SafetensorsSeed.Value), Json: true),
        new("weights metadata to model", "model.safetensors", typeof(FormatException), _ => MetadataOf(ModelWeightsSeed.Value), ReadModelWeights,
            metadata => WithMetadata(metadata, ModelWeightsSeed.Value), Json: true),
        new("pth (zip + pickle)", "weights.pth", typeof(PthFormatException), _ => TensorFileBytes((p, t, _) => PthWriter.Save(p, t)),
            path => DisposeAll(PthFile.Load(path))),
        new("pth (pickle inside zip)", "weights.pth", typeof(PthFormatException), _ => PickleOf(PthSeed.Value),
            path => DisposeAll(PthFile.Load(path)), pickle => WithPickle(pickle, PthSeed.Value)),
        new("idx (raw)", "images-idx3-ubyte", typeof(InvalidDataException), _ => IdxBytes(), path => IdxFile.Read(path, 3)),
        new("idx (inside gzip)", "images-idx3-ubyte.gz", typeof(InvalidDataException), _ => IdxBytes(), path => IdxFile.Read(path, 3), Gzip),
        new("cifar-10 records", "cifar-10-batches-bin/data_batch_1.bin", typeof(InvalidDataException), CifarSeed,
            path => Cifar.Cifar10.Load(Path.GetDirectoryName(path)!, DatasetSplit.Train).Dispose()),
        new("tar.gz (compressed bytes)", "data.tar.gz", typeof(ArchiveFormatException), _ => Gzip(TarBytes()), Extract),
        new("tar.gz (tar inside gzip)", "data.tar.gz", typeof(ArchiveFormatException), _ => TarBytes(), Extract, Gzip),
        new("png", "image.png", typeof(ImageDecodeException), folder => ImageBytes(folder, SKEncodedImageFormat.Png), DecodeAndPreprocess),
        new("jpeg", "image.jpg", typeof(ImageDecodeException), folder => ImageBytes(folder, SKEncodedImageFormat.Jpeg), DecodeAndPreprocess),
        new("webp", "image.webp", typeof(ImageDecodeException), folder => ImageBytes(folder, SKEncodedImageFormat.Webp), DecodeAndPreprocess),
        new("bmp", "image.bmp", typeof(ImageDecodeException), _ => BmpBytes(13, 9), DecodeAndPreprocess),
        new("jpeg (uploaded stream)", "upload.jpg", typeof(ImageDecodeException), folder => ImageBytes(folder, SKEncodedImageFormat.Jpeg), DecodeUpload),
        new("onnx", "model.onnx", typeof(OnnxModelException), _ => OnnxBytes(), OpenAndRunOnnx),
        new("npy", "input.npy", typeof(FormatException), NpyBytes, path => NpyFile.ReadFloat32(path)),
        new("spec JSON", "spec.json", typeof(FormatException), _ => Encoding.UTF8.GetBytes(ResNetSpecJson.ToJson(TinySpec)),
            path => NetworkPlanner.Plan(ResNetSpecJson.Load(path)), Json: true),
        new("training config JSON", "config.json", typeof(FormatException), _ => Encoding.UTF8.GetBytes(ConfigSeed.ToJson()),
            path => TrainingConfig.FromJson(InputFile.ReadAllText(path, "Config", 1 << 20), path), Json: true),
        new("CSV manifest", "manifest.csv", typeof(InvalidDataException), ManifestSeed, ReadManifest),
        new("paths.jsonl", "paths.jsonl", typeof(InvalidDataException), PathsSeed, path => PathsFile.Read(path)),
        new("image index manifest (index.json)", "index/index.json", typeof(InvalidDataException), _ => IndexManifestSeed(),
            path => ImageIndexManifest.Read(Path.GetDirectoryName(path)!), Json: true),
        new("weights registry JSON", "registry.json", typeof(FormatException), _ => Encoding.UTF8.GetBytes(RegistrySeed),
            path => WeightsRegistry.ReadFile(path), Json: true),
    ];

    /// <summary>
    /// Targets that run a whole command in process rather than one reader, for hostile files given to the CLI;
    /// not fuzzed by default. Their documented error is exit 2 with one line (<see cref="CommandLineError"/>).
    /// </summary>
    public static IReadOnlyList<FuzzTarget> Commands { get; } =
    [
        new("predict with .pth weights", "weights.pth", typeof(CommandLineError), PredictSeed, PredictWithWeights),
    ];

    /// <summary>A command that ended as the CLI promises bad input ends: exit 2 and one line, here the message.</summary>
    public sealed class CommandLineError(string line) : Exception(line);

    /// <summary><c>resnet predict --spec spec.json --weights FILE image.png</c>, as a user runs it, beside the seed's spec and image.</summary>
    private static void PredictWithWeights(string path)
    {
        string folder = Path.GetDirectoryName(path)!;
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = ResNetSharp.Cli.CliApp.Run(["predict", "--spec", Path.Combine(folder, "spec.json"), "--weights", path, "--device", "cpu",
            Path.Combine(folder, "image.png")], output, error);
        var lines = error.ToString().Trim().Split('\n');
        if (code == ResNetSharp.Cli.CliApp.UsageError && lines.Length == 1)
            throw new CommandLineError(lines[0]);
        if (code != 0)
            throw new InvalidOperationException($"exit {code}: {error}");
    }

    /// <summary>The weights of <see cref="TinySpec"/> as torch.save writes them, with the spec and an image beside them.</summary>
    private static byte[] PredictSeed(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "spec.json"), ResNetSpecJson.ToJson(TinySpec));
        TestImages.Write(Path.Combine(folder, "image.png"), 12, 10, seed: 3);
        manual_seed(0);
        using var model = new ResNet(TinySpec);
        string seed = Path.Combine(folder, "seed.pth");
        PthWriter.Save(seed, StateDictOrder.Entries(model));
        var bytes = File.ReadAllBytes(seed);
        File.Delete(seed);
        return bytes;
    }

    private static readonly ManifestColumnRequest[] ManifestColumns = [new("label", IsClass: true), new("score", IsClass: false)];

    private static void ReadManifest(string path) => ImageManifest.Read(path, ManifestColumns);

    /// <summary>Two images beside a manifest with a class column, a number column and an empty cell.</summary>
    private static byte[] ManifestSeed(string folder)
    {
        TestImages.Write(Path.Combine(folder, "a.png"), 6, 5, seed: 1);
        TestImages.Write(Path.Combine(folder, "b.png"), 6, 5, seed: 2);
        return "path,label,score\na.png,cat,1.5\n\"b.png\",dog,\n"u8.ToArray();
    }

    private static byte[] PathsSeed(string folder)
    {
        string path = Path.Combine(folder, "seed.jsonl");
        PathsFile.Write(path, ["/images/a.png", "/images/with \"quotes\"\nand a newline.png", "/images/ü.jpg"]);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>index.json of a two-image index of <see cref="TinySpec"/> (the reader checks the manifest, not the files it names).</summary>
    private static byte[] IndexManifestSeed()
    {
        using var folder = new TemporaryFolder();
        var spec = System.Text.Json.JsonDocument.Parse(ResNetSpecJson.ToJson(TinySpec)).RootElement.Clone();
        var model = new IndexedModelEntry("tiny", spec, "w.safetensors", new string('0', 64), null, ImagePreprocessing.ForCrop(8), 8);
        new ImageIndexManifest(ImageIndexManifest.FormatName, ImageIndexManifest.CurrentVersion, 1, 2, 8, ResNetSharp.Search.ImageIndex.Metric, 16, 128, 64,
            model, new IndexFile("vectors.usearch", 1000, new string('0', 16)), new IndexFile("paths.jsonl", 70, new string('0', 16))).Write(folder.Path);
        return File.ReadAllBytes(ImageIndexManifest.PathIn(folder.Path));
    }

    /// <summary>A registry of one weight set with its classes under a category, as the built-in registry's file is written.</summary>
    private const string RegistrySeed = """
        {
          "categories": { "pets": ["cat", "dog"] },
          "weights": [
            {
              "model": "resnet18", "tag": "PETS_V1", "default": true, "file": "resnet18-pets.pth",
              "url": "http://127.0.0.1:8080/resnet18-pets.pth", "sha256": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
              "bytes": 46830571, "categories": "pets", "numParams": 11177538, "recipe": "fine-tuned",
              "preprocessing": { "resizeTo": 256, "cropTo": 224, "interpolation": "bilinear", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225] }
            }
          ]
        }
        """;


    /// <summary>Reads weights the way eval/predict do from metadata alone: the model card, then the model the file names, built and loaded.</summary>
    private static void ReadModelWeights(string path)
    {
        var metadata = WeightFile.ReadMetadata(path);
        ModelCard.FromMetadata(metadata, path);
        WeightsModel.Load(path).Dispose();
    }

    private static void DecodeAndPreprocess(string path)
    {
        var image = ImageDecoder.Decode(path);
        var pixels = ImagePreprocessing.ImageNet.ResizeAndCrop(image);
        ImagePreprocessing.ImageNet.Normalize(pixels, new float[3 * 224 * 224], 3);
    }

    /// <summary>As the server decodes an upload: from a stream that cannot seek, named by its source.</summary>
    private static void DecodeUpload(string path)
    {
        using var file = File.OpenRead(path);
        var image = ImageDecoder.Decode(new ForwardOnlyStream(file), path);
        ImagePreprocessing.ImageNet.ResizeAndCrop(image);
    }

    /// <summary>A stream that only reads forward, as a request body does.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Opens the model and, when its input is small, runs one image through it.</summary>
    private static void OpenAndRunOnnx(string path)
    {
        using var classifier = OnnxClassifier.Open(path);
        int side = classifier.Preprocessing.CropTo;
        if (side <= 64)
            classifier.Run(new float[classifier.InChannels * side * side], 1, side, side);
    }

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

    private static (byte[] Header, byte[] Data) SafetensorsParts(byte[] file)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (file[8..(8 + length)], file[(8 + length)..]);
    }

    /// <summary>A safetensors file with <paramref name="header"/> in place of the seed's header JSON and the seed's data after it.</summary>
    private static byte[] WithSafetensorsHeader(byte[] header, byte[] seed)
    {
        var data = SafetensorsParts(seed).Data;
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>The "__metadata__" object of a safetensors header, as JSON text (the header's first member, as our writer puts it).</summary>
    private static byte[] MetadataOf(byte[] file)
    {
        string header = Encoding.UTF8.GetString(SafetensorsParts(file).Header);
        using var document = System.Text.Json.JsonDocument.Parse(header);
        return Encoding.UTF8.GetBytes(document.RootElement.GetProperty("__metadata__").GetRawText());
    }

    /// <summary>The seed file with <paramref name="metadata"/> spliced in as its "__metadata__" text; the tensor entries and data as they were.</summary>
    private static byte[] WithMetadata(byte[] metadata, byte[] file)
    {
        string header = Encoding.UTF8.GetString(SafetensorsParts(file).Header).TrimEnd();
        string original = Encoding.UTF8.GetString(MetadataOf(file));
        int at = header.IndexOf(original, StringComparison.Ordinal);
        var spliced = Encoding.UTF8.GetBytes(header[..at]).Concat(metadata).Concat(Encoding.UTF8.GetBytes(header[(at + original.Length)..])).ToArray();
        return WithSafetensorsHeader(spliced, file);
    }

    /// <summary>Weights of a tiny network with the model card and spec that training writes.</summary>
    private static byte[] ModelWeightsBytes()
    {
        using var folder = new TemporaryFolder();
        manual_seed(0);
        using var model = new ResNet(TinySpec);
        var card = new ModelCard("tiny", ["a", "b", "c"], 3, ImagePreprocessing.ForCrop(8));
        SafetensorsFile.Save(folder.File("seed"), StateDictOrder.Entries(model), WeightsModel.Describe(card.ToMetadata(), "tiny", TinySpec));
        return File.ReadAllBytes(folder.File("seed"));
    }

    private static byte[] PickleOf(byte[] pth)
    {
        using var zip = new ZipArchive(new MemoryStream(pth), ZipArchiveMode.Read);
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The seed .pth archive with <paramref name="pickle"/> as its data.pkl, every other entry as it was (stored, as torch.save writes).</summary>
    private static byte[] WithPickle(byte[] pickle, byte[] pth)
    {
        using var source = new ZipArchive(new MemoryStream(pth), ZipArchiveMode.Read);
        using var memory = new MemoryStream();
        using (var target = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                using var output = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                if (entry.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
                    output.Write(pickle);
                else
                    input.CopyTo(output);
            }
        }
        return memory.ToArray();
    }

    private static byte[] NpyBytes(string folder)
    {
        string path = Path.Combine(folder, "seed.npy");
        NpyFile.WriteFloat32Array(path, Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), [1, 2, 3, 4]);
        return File.ReadAllBytes(path);
    }
}
