using ResNetSharp.Inference;

namespace ResNetSharp.Search;

/// <summary>
/// An <see cref="ImageIndex"/> (opened read-only, memory-mapped) as the search a server answers POST /v1/search
/// from. The server embeds each query with its own model, so the index must hold that model's features:
/// <see cref="Open"/> refuses an index built with other weights, another width or other preprocessing.
/// Safe to call from several threads at once, as the index is.
/// </summary>
public sealed class ImageIndexSearch : IImageSearch, IDisposable
{
    private readonly ImageIndex _index;

    private ImageIndexSearch(ImageIndex index) => _index = index;

    /// <summary>The index searched.</summary>
    public ImageIndex Index => _index;

    /// <inheritdoc />
    public int Dimensions => _index.Dimensions;

    /// <inheritdoc />
    public long Count => _index.Count;

    /// <summary>
    /// Opens the index in <paramref name="folder"/> read-only for a server whose model is <paramref name="served"/>,
    /// made from the weights whose SHA-256 is <paramref name="servedWeightsSha256"/> (null when unknown, e.g. an ONNX
    /// file exported without it). A model that does not embed images the way the index's vectors were made is an
    /// <see cref="InvalidDataException"/> naming the index and what differs; damaged index files are too.
    /// </summary>
    public static ImageIndexSearch Open(string folder, ImageModelInfo served, string? servedWeightsSha256)
    {
        var index = ImageIndex.Open(folder);
        try
        {
            if (Mismatch(index.Model, served, servedWeightsSha256) is { } problem)
                throw new InvalidDataException($"{index.Folder} cannot be searched with {served.Name}: {problem}.");
            return new ImageIndexSearch(index);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Why the embeddings of <paramref name="served"/> (from weights with SHA-256 <paramref name="servedWeightsSha256"/>)
    /// are not comparable with the vectors of an index of <paramref name="indexed"/>, or null when they are: the same
    /// weights file's content, the same embedding width and the same preprocessing.
    /// </summary>
    public static string? Mismatch(IndexedModel indexed, ImageModelInfo served, string? servedWeightsSha256)
    {
        if (served.Embedding is not { } embedding)
            return $"the model has no \"{ModelOutput.EmbeddingName}\" output to embed queries with";
        if (embedding.Size != indexed.Dimensions)
            return $"the model's embedding has {embedding.Size} dimensions; the index holds {indexed.Dimensions}";
        if (servedWeightsSha256 is null)
            return $"the model does not record which weights it came from, so it cannot be matched with the index's ({indexed.Weights}, " +
                $"SHA-256 {indexed.WeightsSha256}); export it again with resnet export, or serve the weights file";
        if (!string.Equals(servedWeightsSha256, indexed.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            return $"the index was built with other weights ({indexed.Weights}, SHA-256 {indexed.WeightsSha256}; these are {servedWeightsSha256})";
        if (served.Preprocessing.ToJson() != indexed.Preprocessing.ToJson())
            return $"the indexed images were prepared as {indexed.Preprocessing.ToJson()}; the model prepares queries as {served.Preprocessing.ToJson()}";
        return null;
    }

    /// <inheritdoc />
    public IReadOnlyList<ImageNeighbor> Search(float[] embedding, int k)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (embedding.Length != Dimensions)
            throw new ArgumentException($"the query has {embedding.Length} values; the index holds {Dimensions}-dimensional vectors.", nameof(embedding));
        return _index.Search(embedding, k).Select(hit => new ImageNeighbor(hit.Path, hit.Score) { Row = hit.Row }).ToList();
    }

    /// <summary>Closes the index (unmapping its files).</summary>
    public void Dispose() => _index.Dispose();
}
