using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetSharp.Common;
using ResNetSharp.Imaging;

namespace ResNetSharp.Zoo;

/// <summary>
/// The named weight sets this library knows: torchvision's ImageNet weights for every catalog model
/// that has them (<see cref="Builtin"/>), plus any registry files a site adds. Names are
/// <c>MODEL:TAG</c> ("resnet50:IMAGENET1K_V2"), <c>MODEL:DEFAULT</c>, or a bare model name for its default.
/// </summary>
public sealed class WeightsRegistry
{
    /// <summary>Environment variable: registry files (JSON, the built-in's format) whose entries are added, separated by ':' (';' on Windows).</summary>
    public const string ExtraRegistriesVariable = "RESNETSHARP_WEIGHTS_REGISTRY";

    /// <summary>The key of ImageNet-1K's class names under "categories" in registry files.</summary>
    public const string ImageNetCategories = "imagenet-1k";

    private static readonly Lazy<WeightsRegistry> BuiltinRegistry = new(() =>
    {
        using var stream = typeof(WeightsRegistry).Assembly.GetManifestResourceStream("ResNetSharp.Zoo.torchvision-weights.json")
            ?? throw new InvalidOperationException("the built-in weights registry is missing from the assembly");
        return new WeightsRegistry(Parse(stream, "built-in registry", new Dictionary<string, IReadOnlyList<string>>()));
    });

    private readonly Dictionary<string, PretrainedWeights> _byName;

    /// <summary>A registry of <paramref name="entries"/>, each validated; names must be unique and each model has at most one default.</summary>
    public WeightsRegistry(IEnumerable<PretrainedWeights> entries)
    {
        Entries = entries.Select(e => e.Validate()).ToList();
        _byName = new Dictionary<string, PretrainedWeights>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Entries)
            if (!_byName.TryAdd(entry.Name, entry))
                throw new ArgumentException($"weights '{entry.Name}' are defined twice.");
        foreach (var model in Entries.GroupBy(e => e.Model))
            if (model.Count(e => e.IsDefault) > 1)
                throw new ArgumentException($"model '{model.Key}' has more than one default weight set.");
    }

    /// <summary>Every weight set, in registry order.</summary>
    public IReadOnlyList<PretrainedWeights> Entries { get; }

    /// <summary>torchvision's weights for the catalog's resnet, wide_resnet and resnext models (IMAGENET1K_V1, and V2 where published).</summary>
    public static WeightsRegistry Builtin => BuiltinRegistry.Value;

    /// <summary>The class names torchvision's ImageNet weights predict, by index.</summary>
    public static IReadOnlyList<string> ImageNetClassNames => Builtin.Entries[0].ClassNames;

    /// <summary>
    /// <see cref="Builtin"/> plus the entries of the files named by <see cref="ExtraRegistriesVariable"/>
    /// (read now, so a changed variable takes effect at once).
    /// </summary>
    public static WeightsRegistry FromEnvironment()
    {
        string? files = Environment.GetEnvironmentVariable(ExtraRegistriesVariable);
        if (string.IsNullOrWhiteSpace(files))
            return Builtin;
        var entries = new List<PretrainedWeights>(Builtin.Entries);
        var categories = new Dictionary<string, IReadOnlyList<string>> { [ImageNetCategories] = ImageNetClassNames };
        foreach (string file in files.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            entries.AddRange(ReadFile(file, categories));
        return new WeightsRegistry(entries);
    }

    /// <summary>Bytes a registry file may have: ten thousand entries with their class names fit.</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>
    /// The entries of a registry file (the built-in's JSON format) of at most <see cref="MaxFileBytes"/>; errors name
    /// the file, and only a regular file is read (see <see cref="IO.InputFile"/>).
    /// </summary>
    public static IReadOnlyList<PretrainedWeights> ReadFile(string path, IReadOnlyDictionary<string, IReadOnlyList<string>>? knownCategories = null)
    {
        if (IO.FileProbe.Of(path).Kind == IO.FileKind.Missing)
            throw new FileNotFoundException($"{ExtraRegistriesVariable} names {path}, which does not exist.", path);
        using var stream = IO.InputFile.OpenReadAtMost(path, "Weights registry", MaxFileBytes);
        return Parse(stream, path, knownCategories ?? new Dictionary<string, IReadOnlyList<string>>());
    }

    /// <summary>Whether <paramref name="name"/> looks like a registry name rather than a file: it has a ':' or is a model with weights here.</summary>
    public bool IsWeightsName(string name) =>
        name.Contains(':') && !name.Contains(Path.DirectorySeparatorChar) || Entries.Any(e => e.Model == name);

    /// <summary>The weight set <paramref name="name"/> names, or null.</summary>
    public PretrainedWeights? TryFind(string name)
    {
        int colon = name.IndexOf(':');
        string model = colon < 0 ? name : name[..colon];
        string tag = colon < 0 ? PretrainedWeights.DefaultTag : name[(colon + 1)..];
        if (tag.Equals(PretrainedWeights.DefaultTag, StringComparison.OrdinalIgnoreCase))
        {
            var sets = Entries.Where(e => e.Model == model).ToList();
            return sets.FirstOrDefault(e => e.IsDefault) ?? (sets.Count == 1 ? sets[0] : null);
        }
        return _byName.GetValueOrDefault($"{model}:{tag}");
    }

    /// <summary>The weight set <paramref name="name"/> names; a <see cref="KeyNotFoundException"/> listing close names otherwise.</summary>
    public PretrainedWeights Find(string name)
    {
        if (TryFind(name) is { } found)
            return found;
        var names = Entries.Select(e => e.Name).Concat(Entries.Select(e => e.Model + ":" + PretrainedWeights.DefaultTag).Distinct()).ToList();
        var close = CloseMatches.Find(name, names);
        string hint = close.Count > 0 ? $"did you mean {string.Join(", ", close)}?" : "'resnet weights list' shows the known names.";
        throw new KeyNotFoundException($"No weights named '{name}'; {hint}");
    }

    /// <summary>The registered weight set whose file has SHA-256 <paramref name="sha256"/>, or null.</summary>
    public PretrainedWeights? FindByDigest(string sha256) =>
        Entries.Where(e => e.Matches(sha256)).OrderByDescending(e => e.Sha256.Length).FirstOrDefault();

    private static List<PretrainedWeights> Parse(Stream stream, string source, IReadOnlyDictionary<string, IReadOnlyList<string>> knownCategories)
    {
        RegistryFile file;
        try
        {
            file = JsonSerializer.Deserialize<RegistryFile>(stream, Json) ?? throw new JsonException("the file is 'null'");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not a weights registry ({e.Message}).", e);
        }
        var categories = new Dictionary<string, IReadOnlyList<string>>(knownCategories);
        foreach (var (key, names) in file.Categories ?? [])
            categories[key] = names is not null && names.All(n => n is not null) ? names
                : throw new FormatException($"{source}: category '{key}' is not a list of class names.");
        var entries = new List<PretrainedWeights>();
        foreach (var item in file.Weights ?? throw new FormatException($"{source}: no \"weights\" list."))
        {
            if (item is null)
                throw new FormatException($"{source}: an entry of the \"weights\" list is null.");
            string label = $"{source}: weights '{item.Model}:{item.Tag}'";
            IReadOnlyList<string> classNames = item.ClassNames
                ?? (item.Categories is { } key && categories.TryGetValue(key, out var named) ? named
                    : throw new FormatException($"{label} give neither \"classNames\" nor known \"categories\" ('{item.Categories}')."));
            if (classNames.Any(n => n is null))
                throw new FormatException($"{label} have a null class name.");
            var p = item.Preprocessing ?? throw new FormatException($"{label} have no \"preprocessing\".");
            try
            {
                entries.Add(new PretrainedWeights(
                    item.Model ?? "", item.Tag ?? "", item.Default, item.File ?? "", new Uri(item.Url ?? "", UriKind.RelativeOrAbsolute),
                    (item.Sha256 ?? "").ToLowerInvariant(), item.Bytes,
                    new ImagePreprocessing(p.ResizeTo, p.CropTo, p.Mean ?? [], p.Std ?? []), p.Interpolation ?? "bilinear",
                    classNames, item.Metrics, item.NumParams, item.Recipe).Validate());
            }
            catch (Exception e) when (e is ArgumentException or UriFormatException)
            {
                throw new FormatException($"{source}: {e.Message}", e);
            }
        }
        return entries;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record RegistryFile(Dictionary<string, string[]>? Categories, WeightsItem[]? Weights);

    private sealed record WeightsItem(
        string? Model, string? Tag, bool Default, string? File, string? Url, string? Sha256, long? Bytes,
        PreprocessingItem? Preprocessing, string? Categories, string[]? ClassNames, PublishedMetrics? Metrics,
        long? NumParams, string? Recipe);

    private sealed record PreprocessingItem(int ResizeTo, int CropTo, string? Interpolation, double[]? Mean, double[]? Std);
}
