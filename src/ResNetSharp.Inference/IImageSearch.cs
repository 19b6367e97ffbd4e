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

    /// <summary>The <paramref name="k"/> indexed images nearest to <paramref name="embedding"/>, nearest first.</summary>
    IReadOnlyList<SearchHit> Search(float[] embedding, int k);
}

/// <summary>One image found by <see cref="IImageSearch.Search"/>.</summary>
/// <param name="Image">The indexed image, as the index names it (usually its path).</param>
/// <param name="Distance">Distance to the query in the index's metric (smaller is nearer).</param>
public sealed record SearchHit(string Image, double Distance);
