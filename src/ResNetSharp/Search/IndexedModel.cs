using ResNetSharp.Imaging;

namespace ResNetSharp.Search;

/// <summary>
/// The network whose features an <see cref="ImageIndex"/> holds, kept beside the index so that queries are
/// embedded exactly as the indexed images were.
/// </summary>
/// <param name="Name">Model name for messages (catalog name or spec file).</param>
/// <param name="SpecJson">The network's spec (ResNetSpecJson), class count included, so the weights load strictly.</param>
/// <param name="Weights">Full path of the weights file.</param>
/// <param name="WeightsSha256">SHA-256 of that file when the index was built: a different file is a different model.</param>
/// <param name="WeightsName">Registry name (<c>MODEL:TAG</c>) when the weights came from the registry, so a moved cache is found again.</param>
/// <param name="Preprocessing">How images were resized, cropped and normalised.</param>
/// <param name="Dimensions">Length of each feature vector (the model's pooled features).</param>
public sealed record IndexedModel(string Name, string SpecJson, string Weights, string WeightsSha256, string? WeightsName,
    ImagePreprocessing Preprocessing, int Dimensions)
{
    /// <summary>Whether <paramref name="other"/> embeds images the same way (same weights file content, preprocessing and width).</summary>
    public bool SameEmbeddingAs(IndexedModel other) =>
        WeightsSha256 == other.WeightsSha256 && Dimensions == other.Dimensions && Preprocessing.ToJson() == other.Preprocessing.ToJson();
}
