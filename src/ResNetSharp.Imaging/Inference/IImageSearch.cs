using System.Text.Json.Serialization;

namespace ResNetSharp.Inference;

/// <summary>
/// Nearest images by embedding: what a server needs from an image index (the one <c>resnet index</c>
/// builds, or any other). Implementations are safe to call from several threads at once.
/// </summary>
public interface IImageSearch
{
    /// <summary>Embedding length the index holds; queries must match it.</summary>
    int Dimensions { get; }

    /// <summary>Images in the index.</summary>
    long Count { get; }

    /// <summary>The <paramref name="k"/> indexed images most similar to <paramref name="embedding"/>, most similar first.</summary>
    IReadOnlyList<ImageNeighbor> Search(float[] embedding, int k);
}

/// <summary>One image found by <see cref="IImageSearch.Search"/>; written as <c>{"path", "score", "row"}</c>, as <c>resnet search --json</c> writes its hits.</summary>
/// <param name="Path">The indexed image, as the index names it (its path, for <c>resnet index</c>).</param>
/// <param name="Score">Similarity to the query in the index's measure, higher is nearer (cosine similarity, from -1 to 1, for <c>resnet index</c>).</param>
public sealed record ImageNeighbor(string Path, double Score)
{
    /// <summary>The image's row in the index (the order images were added in, from 0), when the index numbers its images.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Row { get; init; }
}
