using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetSharp.Common;
using ResNetSharp.Imaging;
using ResNetSharp.IO;

namespace ResNetSharp.Search;

/// <summary>One data file of an index generation: its name in the index folder, size and checksum.</summary>
/// <param name="File">Name inside the index folder.</param>
/// <param name="Bytes">Exact size.</param>
/// <param name="XxHash3">XXH3-64 of the content, hex: catches damage cheaply, even on multi-gigabyte files.</param>
internal sealed record IndexFile(string File, long Bytes, string XxHash3)
{
    /// <summary>Describes a file as it is now.</summary>
    public static IndexFile Of(string path) => new(Path.GetFileName(path), new FileInfo(path).Length, Checksum(path));

    /// <summary>Throws an <see cref="InvalidDataException"/> naming the file when it is missing, shorter or longer, or damaged.</summary>
    public void Check(string folder, bool checksum)
    {
        string path = Path.Combine(folder, File);
        if (FileProbe.Of(path).Kind == FileKind.Missing)
            throw new InvalidDataException($"{path} is missing; the index in {folder} is incomplete.");
        InputFile.RequireRegular(path, "Image index file");
        long length = new FileInfo(path).Length;
        if (length != Bytes)
            throw new InvalidDataException($"{path} has {length:N0} bytes; {ImageIndexManifest.FileName} says {Bytes:N0}: the index is truncated or damaged.");
        if (checksum && Checksum(path) != XxHash3)
            throw new InvalidDataException($"{path} does not match its checksum in {ImageIndexManifest.FileName}: the index is damaged.");
    }

    private static string Checksum(string path)
    {
        var hash = new XxHash3();
        using var stream = InputFile.OpenRead(path, "Image index file", 1 << 20);
        hash.Append(stream);
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}

/// <summary>
/// index.json: the commit point of an image index. It names the generation's files (graph and paths), the
/// model that made the vectors and the graph's settings. Writers add new files, then replace index.json
/// atomically, so a reader sees the old index or the new one, never a mix.
/// </summary>
internal sealed record ImageIndexManifest(
    string Format, int Version, long Generation, long Count, int Dimensions, string Metric,
    int Connectivity, int ExpansionAdd, int ExpansionSearch, IndexedModelEntry Model, IndexFile Vectors, IndexFile Paths)
{
    public const string FileName = "index.json";
    public const string FormatName = "resnetsharp-image-index";
    public const int CurrentVersion = 1;

    /// <summary>Bytes index.json may have: it describes a model and two files in about 2 KB.</summary>
    public const long MaxFileBytes = 1 << 20;

    public static string PathIn(string folder) => System.IO.Path.Combine(folder, FileName);

    public void Write(string folder) =>
        AtomicFile.Write(PathIn(folder), stream => JsonSerializer.Serialize(stream, this, Json));

    /// <summary>
    /// Reads and checks index.json in <paramref name="folder"/>; every problem is an <see cref="InvalidDataException"/> naming the
    /// file, but an index.json that is not a regular file (a FIFO would block the read) is a <see cref="NotARegularFileException"/>.
    /// </summary>
    public static ImageIndexManifest Read(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image index not found: {folder}");
        string path = PathIn(folder);
        if (FileProbe.Of(path).Kind == FileKind.Missing)
            throw new InvalidDataException($"{folder} is not an image index (no {FileName}); build one with 'resnet index build'.");
        ImageIndexManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ImageIndexManifest>(InputFile.ReadAllText(path, "Image index manifest", MaxFileBytes), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid image index manifest ({e.Message}).", e);
        }
        void Require(bool ok, string problem)
        {
            if (!ok)
                throw new InvalidDataException($"{path}: {problem}.");
        }
        Require(manifest is not null, "the manifest is 'null'");
        Require(manifest!.Format == FormatName, $"\"format\" is '{manifest.Format}', not '{FormatName}'");
        Require(manifest.Version == CurrentVersion, $"version {manifest.Version} is not supported (this library reads {CurrentVersion})");
        Require(manifest.Count >= 0 && manifest.Generation >= 0, "negative count or generation");
        Require(manifest.Connectivity >= 0 && manifest.ExpansionAdd >= 0 && manifest.ExpansionSearch >= 0, "negative graph settings");
        Require(manifest.Dimensions is > 0 and <= 1 << 16, $"dimensions {manifest.Dimensions} out of range");
        Require(manifest.Metric == ImageIndex.Metric, $"metric '{manifest.Metric}' is not '{ImageIndex.Metric}'");
        Require(manifest.Model?.Spec.ValueKind == JsonValueKind.Object && manifest.Model.Preprocessing is not null, "\"model\" lacks its spec or preprocessing");
        var preprocessing = manifest.Model!.Preprocessing!;
        Require(preprocessing.Mean is { Count: > 0 } && preprocessing.Std is { Count: > 0 } && preprocessing.Std.All(s => s > 0)
                && preprocessing.CropTo > 0 && preprocessing.ResizeTo >= 0, "\"model.preprocessing\" needs a positive crop, a mean and positive stds");
        Require(manifest.Model.Dimensions == manifest.Dimensions, $"the model makes {manifest.Model.Dimensions}-wide vectors; the index holds {manifest.Dimensions}");
        foreach (var file in new[] { manifest.Vectors, manifest.Paths })
            Require(file is { File: { Length: > 0 } name } && name == System.IO.Path.GetFileName(name) && file.Bytes >= 0,
                "a data file entry is missing or names a path outside the index folder");
        return manifest;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

/// <summary><see cref="IndexedModel"/> as stored in index.json, the spec as a JSON object.</summary>
internal sealed record IndexedModelEntry(string Name, JsonElement Spec, string Weights, string WeightsSha256, string? WeightsName,
    ImagePreprocessing Preprocessing, int Dimensions)
{
    public static IndexedModelEntry From(IndexedModel model) =>
        new(model.Name, JsonDocument.Parse(model.SpecJson).RootElement.Clone(), model.Weights, model.WeightsSha256, model.WeightsName,
            model.Preprocessing, model.Dimensions);

    public IndexedModel ToModel() =>
        new(Name, Spec.GetRawText(), Weights, WeightsSha256, WeightsName, Preprocessing, Dimensions);
}
