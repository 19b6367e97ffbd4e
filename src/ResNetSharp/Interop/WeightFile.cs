using ResNetSharp.Interop.Pth;
using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>Weight files of either format, told apart by their first bytes, not their names.</summary>
public static class WeightFile
{
    /// <summary>The two formats this library reads and writes.</summary>
    public enum Format
    {
        /// <summary>safetensors.</summary>
        Safetensors,
        /// <summary>A torch.save zip archive (.pt, .pth).</summary>
        Pth,
    }

    /// <summary>
    /// Detects the format from the file's first bytes: a JSON header after the 8-byte length is
    /// safetensors; a zip (or a legacy pickle) is .pth; anything else is tried as safetensors, whose
    /// reader then says what is wrong. An .onnx file is refused by name.
    /// </summary>
    public static Format Detect(string path)
    {
        InputFile.RequireRegular(path, "Weights file");
        if (Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"{path} is an ONNX model, not a weights file: weights are safetensors or PyTorch .pt/.pth " +
                "(ONNX models run with ResNetSharp.Inference, e.g. `resnet predict --onnx`).");
        using var stream = InputFile.OpenRead(path, "Weights file");
        Span<byte> start = stackalloc byte[9];
        int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (read == 9 && start[8] == (byte)'{')
            return Format.Safetensors;
        bool zip = read >= 2 && start[..2].SequenceEqual("PK"u8);
        bool legacyPickle = read >= 2 && start[0] == 0x80 && start[1] is >= 2 and <= 5;
        return zip || legacyPickle ? Format.Pth : Format.Safetensors;
    }

    /// <summary>The format a new file gets from its extension: .pt and .pth are PyTorch, the rest safetensors.</summary>
    public static Format ForExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pt" or ".pth" ? Format.Pth : Format.Safetensors;

    /// <summary>
    /// Loads every tensor (CPU, file order) and the string metadata (safetensors only). The caller owns the
    /// tensors. A .pth file is read within <paramref name="limits"/> (default <see cref="PthLoadLimits.Default"/>).
    /// </summary>
    public static (IReadOnlyList<(string Name, Tensor Tensor)> Tensors, IReadOnlyDictionary<string, string> Metadata) Load(string path,
        PthLoadLimits? limits = null) =>
        Detect(path) == Format.Pth
            ? (PthFile.Load(path, limits), new Dictionary<string, string>())
            : SafetensorsFile.Load(path);

    /// <summary>The string metadata without loading tensors (empty for .pth files).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) =>
        Detect(path) == Format.Pth ? new Dictionary<string, string>() : SafetensorsFile.ReadHeader(path).Metadata;

    /// <summary>Names and shapes without keeping tensor data around.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ReadShapes(string path) => ReadContents(path).Tensors;

    /// <summary>
    /// Names, shapes, metadata and how many values the file really stores, without reading tensor data: a
    /// safetensors file is not read past its header, a .pth file past its pickle (its storages, counted once
    /// each however many views share them, are never decompressed), so a small file cannot make this allocate much.
    /// </summary>
    public static WeightFileContents ReadContents(string path)
    {
        if (Detect(path) == Format.Safetensors)
        {
            var header = SafetensorsFile.ReadHeader(path);
            return new WeightFileContents(header.Entries.Select(e => (e.Name, e.Shape)).ToList(),
                header.Entries.Sum(e => e.Shape.Aggregate(1L, (a, d) => a * d)), header.Metadata);
        }
        var (shapes, stored) = PthFile.ReadShapes(path);
        return new WeightFileContents(shapes, stored, new Dictionary<string, string>());
    }

    /// <summary>Writes tensors in the format the extension names (.pt/.pth or safetensors), atomically.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (ForExtension(path) == Format.Pth)
            PthWriter.Save(path, tensors);
        else
            SafetensorsFile.Save(path, tensors, metadata);
    }
}

/// <summary>What a weights file holds, without its tensor data.</summary>
/// <param name="Tensors">Names and shapes, in file order.</param>
/// <param name="StoredValues">Values the file's data really holds (views sharing a storage count once).</param>
/// <param name="Metadata">The string metadata (empty for .pth files).</param>
public sealed record WeightFileContents(IReadOnlyList<(string Name, long[] Shape)> Tensors, long StoredValues, IReadOnlyDictionary<string, string> Metadata);
