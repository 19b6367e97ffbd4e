using System.Text.RegularExpressions;
using ResNetSharp.Imaging;

namespace ResNetSharp.Zoo;

/// <summary>
/// One published weight set of a catalog model, described as data (torchvision's <c>Weights</c>):
/// where it is, how to check it, how images must be prepared for it, and what it scored.
/// </summary>
/// <param name="Model">Catalog model the weights fit, e.g. "resnet50".</param>
/// <param name="Tag">The weight set's name within the model, e.g. "IMAGENET1K_V2".</param>
/// <param name="IsDefault">Whether <c>MODEL:DEFAULT</c> names this set (torchvision's DEFAULT).</param>
/// <param name="File">The published file's name, e.g. "resnet50-11ad3fa6.pth".</param>
/// <param name="Url">Where the publisher serves it.</param>
/// <param name="Sha256">
/// Lower-case hex SHA-256 of the published file: 64 digits where the full digest is known, otherwise
/// the prefix the publisher put in the file name (see <see cref="HasFullSha256"/>).
/// </param>
/// <param name="Bytes">The file's size in bytes, where known.</param>
/// <param name="Preprocessing">Resize, crop and ImageNet mean/std the weights were evaluated with.</param>
/// <param name="Interpolation">Resize filter ("bilinear", antialiased, as PIL's).</param>
/// <param name="ClassNames">Name of each output, by index.</param>
/// <param name="Metrics">Published accuracy, where given.</param>
/// <param name="NumParams">Parameter count the publisher gives.</param>
/// <param name="Recipe">Link to the training recipe.</param>
public sealed record PretrainedWeights(
    string Model, string Tag, bool IsDefault, string File, Uri Url, string Sha256, long? Bytes,
    ImagePreprocessing Preprocessing, string Interpolation, IReadOnlyList<string> ClassNames,
    PublishedMetrics? Metrics, long? NumParams, string? Recipe)
{
    /// <summary>The name that picks these weights wherever weights are taken: <c>MODEL:TAG</c>, e.g. "resnet50:IMAGENET1K_V2".</summary>
    public string Name => $"{Model}:{Tag}";

    /// <summary>Whether <see cref="Sha256"/> is the whole digest rather than the publisher's 8-digit prefix.</summary>
    public bool HasFullSha256 => Sha256.Length == 64;

    /// <summary>Whether a file whose SHA-256 is <paramref name="sha256"/> (64 hex digits) is this weight set.</summary>
    public bool Matches(string sha256) => sha256.StartsWith(Sha256, StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws an <see cref="ArgumentException"/> naming what is wrong with the entry; returns it otherwise.</summary>
    public PretrainedWeights Validate()
    {
        void Require(bool ok, string problem)
        {
            if (!ok)
                throw new ArgumentException($"weights '{Name}': {problem}.");
        }
        Require(NamePart.IsMatch(Model) && NamePart.IsMatch(Tag), "Model and Tag must be letters, digits, '_', '-' or '.'");
        Require(Tag != DefaultTag, $"'{DefaultTag}' is an alias, not a tag");
        Require(HexDigest.IsMatch(Sha256) && (Sha256.Length == 64 || Sha256.Length >= 8), "Sha256 must be 8 to 64 lower-case hex digits");
        Require(File.Length > 0 && File == Path.GetFileName(File) && File is not ("." or ".."), "File must be a plain file name");
        Require(Url.IsAbsoluteUri, "Url must be absolute");
        Require(Bytes is null or > 0, "Bytes must be positive");
        Require(Interpolation == "bilinear", $"Interpolation '{Interpolation}' is not supported (only bilinear)");
        Require(ClassNames.Count > 0, "ClassNames is empty");
        return this;
    }

    /// <summary>The alias for a model's default weights in <c>MODEL:DEFAULT</c>.</summary>
    public const string DefaultTag = "DEFAULT";

    private static readonly Regex NamePart = new("^[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant);
    private static readonly Regex HexDigest = new("^[0-9a-f]+$", RegexOptions.CultureInvariant);
}

/// <summary>Accuracy the publisher reports for a weight set, in percent.</summary>
/// <param name="Dataset">Where it was measured, e.g. "ImageNet-1K".</param>
/// <param name="Top1">Top-1 accuracy, percent.</param>
/// <param name="Top5">Top-5 accuracy, percent.</param>
public sealed record PublishedMetrics(string Dataset, double Top1, double Top5);
