using System.Globalization;
using System.Security.Cryptography;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Zoo;

/// <summary>
/// Where named weights live once fetched: <c>$RESNETSHARP_HOME/weights</c> (default
/// <c>~/.cache/resnetsharp/weights</c>, as torch.hub's <c>$TORCH_HOME/hub/checkpoints</c>). Each weight set
/// is one safetensors file carrying its full model card (model, spec, class names, preprocessing) and
/// where it came from (the published file's SHA-256), so every command that takes weights needs nothing
/// else. A file only gets its name here after the published file's hash was checked and its tensors loaded
/// into the model; partial downloads wait in <see cref="DownloadsFolder"/>, never beside finished files.
/// </summary>
public sealed class WeightsCache(string root)
{
    /// <summary>Environment variable: the cache's root folder.</summary>
    public const string HomeVariable = "RESNETSHARP_HOME";

    /// <summary>Metadata key: the registry name the file holds ("resnet50:IMAGENET1K_V2").</summary>
    public const string NameKey = "weights_name";

    /// <summary>Metadata key: SHA-256 of the published file the tensors came from.</summary>
    public const string SourceSha256Key = "source_sha256";

    /// <summary>Metadata key: the published file's name.</summary>
    public const string SourceFileKey = "source_file";

    /// <summary>Metadata key: SHA-256 of this file's tensor data (every byte after the header), checked by <see cref="Verify"/>.</summary>
    public const string DataSha256Key = "data_sha256";

    /// <summary>The cache's root folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Finished, verified weight files.</summary>
    public string WeightsFolder => Path.Combine(Root, "weights");

    /// <summary>Downloads in progress (kept between attempts so they resume), never read as weights.</summary>
    public string DownloadsFolder => Path.Combine(Root, "downloads");

    /// <summary>The cache at <c>$RESNETSHARP_HOME</c>, or <c>~/.cache/resnetsharp</c>.</summary>
    public static WeightsCache FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "resnetsharp"));

    /// <summary>Where <paramref name="weights"/> are (or would be) stored.</summary>
    public string PathOf(PretrainedWeights weights) => Path.Combine(WeightsFolder, $"{weights.Model}-{weights.Tag}.safetensors");

    /// <summary>The stored file of <paramref name="weights"/> when it is there and came from the registry's file; null otherwise.</summary>
    public string? TryGet(PretrainedWeights weights)
    {
        string path = PathOf(weights);
        if (!File.Exists(path))
            return null;
        try
        {
            var metadata = SafetensorsFile.ReadHeader(path).Metadata;
            return metadata.TryGetValue(SourceSha256Key, out var sha) && weights.Matches(sha) ? path : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks a stored weight set: present, header intact, tensor data equal to the digest recorded when it
    /// was stored, and recorded as coming from the file the registry names.
    /// </summary>
    public WeightsCheck Verify(PretrainedWeights weights)
    {
        string path = PathOf(weights);
        if (!File.Exists(path))
            return new WeightsCheck(weights.Name, path, WeightsCheckStatus.Missing, "not downloaded");
        try
        {
            var header = SafetensorsFile.ReadHeader(path);
            string source = header.Metadata.GetValueOrDefault(SourceSha256Key, "");
            if (!weights.Matches(source))
                return new WeightsCheck(weights.Name, path, WeightsCheckStatus.Corrupt,
                    $"made from a file with SHA-256 {Show(source)}, not the registry's {weights.Sha256}");
            string recorded = header.Metadata.GetValueOrDefault(DataSha256Key, "");
            string actual = DataDigest(path, header.DataStart);
            return recorded == actual
                ? new WeightsCheck(weights.Name, path, WeightsCheckStatus.Ok,
                    weights.HasFullSha256 ? $"source SHA-256 {source}" : $"source SHA-256 {source} (the registry knows its prefix {weights.Sha256})")
                : new WeightsCheck(weights.Name, path, WeightsCheckStatus.Corrupt,
                    $"tensor data has SHA-256 {actual}, but {Show(recorded)} was recorded when it was stored: the file changed; pull it again");
        }
        catch (FormatException e)
        {
            return new WeightsCheck(weights.Name, path, WeightsCheckStatus.Corrupt, e.Message);
        }
    }

    /// <summary>
    /// Stores a published file of <paramref name="weights"/> whose SHA-256 the caller has checked: its
    /// tensors are loaded strictly into the model the weights are for (a file that does not fit is refused
    /// and nothing is stored), then written as safetensors with the model card. Returns the stored path.
    /// </summary>
    /// <param name="weights">The registry entry.</param>
    /// <param name="source">The published file (.pth or safetensors).</param>
    /// <param name="sourceSha256">Its full SHA-256, lower-case hex.</param>
    public string Store(PretrainedWeights weights, string source, string sourceSha256)
    {
        if (!weights.Matches(sourceSha256) || sourceSha256.Length != 64)
            throw new ArgumentException($"{source}: SHA-256 {sourceSha256} is not that of {weights.Name} ({weights.Sha256}).", nameof(sourceSha256));
        var (tensors, fileMetadata) = WeightFile.Load(source);
        try
        {
            var (modelName, spec) = WeightsModel.FromMetadata(fileMetadata, source) ?? (weights.Model, ModelCatalog.Get(weights.Model));
            spec = spec with { NumClasses = weights.ClassNames.Count };
            using (var model = new ResNet(spec))
                WeightLoader.Load(model, tensors, source);
            var card = new ModelCard(modelName, weights.ClassNames, spec.InChannels, weights.Preprocessing);
            var metadata = WeightsModel.Describe(card.ToMetadata(), modelName, spec);
            metadata[NameKey] = weights.Name;
            metadata[SourceFileKey] = weights.File;
            metadata[SourceSha256Key] = sourceSha256;
            metadata["source_url"] = weights.Url.ToString();
            if (weights.Metrics is { } metrics)
                metadata["metrics"] = string.Create(CultureInfo.InvariantCulture, $"{metrics.Dataset} top-1 {metrics.Top1}%, top-5 {metrics.Top5}%");
            var named = tensors.Select(t => (WeightLoader.MapName(t.Name), t.Tensor)).ToList();
            metadata[DataSha256Key] = TensorDigest(named.Select(t => t.Item2));
            string path = PathOf(weights);
            SafetensorsFile.Save(path, named, metadata);
            return path;
        }
        finally
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
        }
    }

    /// <summary>SHA-256 of a whole file, lower-case hex.</summary>
    public static string FileDigest(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string DataDigest(string path, long dataStart)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        stream.Position = dataStart;
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The digest of the bytes safetensors writes for these tensors: each one contiguous, in order.</summary>
    private static string TensorDigest(IEnumerable<Tensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var tensor in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            if (cpu.numel() > 0)
                hash.AppendData(cpu.bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Show(string digest) => digest.Length > 0 ? digest : "(none)";
}

/// <summary>What <see cref="WeightsCache.Verify"/> found.</summary>
public enum WeightsCheckStatus
{
    /// <summary>Stored, intact, from the registry's file.</summary>
    Ok,
    /// <summary>Not in the cache.</summary>
    Missing,
    /// <summary>Stored, but damaged or not from the registry's file.</summary>
    Corrupt,
}

/// <summary>The result of checking one stored weight set.</summary>
/// <param name="Name">Registry name.</param>
/// <param name="Path">Where it is stored.</param>
/// <param name="Status">What was found.</param>
/// <param name="Detail">Digests or the problem.</param>
public sealed record WeightsCheck(string Name, string Path, WeightsCheckStatus Status, string Detail);
