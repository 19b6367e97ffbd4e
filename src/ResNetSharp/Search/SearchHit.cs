namespace ResNetSharp.Search;

/// <summary>One neighbour of a query.</summary>
/// <param name="Path">The indexed image.</param>
/// <param name="Score">Cosine similarity to the query, from -1 to 1 (1: the same direction).</param>
public sealed record SearchHit(string Path, float Score)
{
    /// <summary>The image's row in the index: the order images were added in, from 0.</summary>
    public long Row { get; init; }
}
