using Cloud.Unum.USearch;
using static TorchSharp.torch;

namespace ResNetSharp.Search;

/// <summary>
/// Brute-force nearest neighbours by cosine similarity: one matrix product of the queries with every
/// stored vector, then top-k. Exact, so it is the reference HNSW recall is measured against; linear in
/// the index size, so for small sets.
/// </summary>
internal static class ExactSearch
{
    /// <summary>The <paramref name="k"/> rows of <paramref name="matrix"/> (N, D, unit rows) most similar to each unit query row, best first.</summary>
    public static IReadOnlyList<(long Row, float Score)[]> TopK(Tensor matrix, float[] queries, int dimensions, int k)
    {
        long rows = matrix.shape[0];
        int count = queries.Length / dimensions;
        var results = new List<(long, float)[]>(count);
        if (rows == 0)
        {
            for (int q = 0; q < count; q++)
                results.Add([]);
            return results;
        }
        int take = (int)Math.Min(k, rows);
        // Bound the (queries x rows) score block to about 256 MiB of float32.
        int chunk = (int)Math.Clamp((1L << 26) / rows, 1, 4096);
        for (int start = 0; start < count; start += chunk)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(chunk, count - start);
            var block = tensor(queries.AsSpan(start * dimensions, n * dimensions).ToArray(), [n, dimensions]);
            var (scores, indices) = mm(block, matrix.t()).topk(take, dim: 1, largest: true, sorted: true);
            var s = scores.data<float>().ToArray();
            var i = indices.data<long>().ToArray();
            for (int q = 0; q < n; q++)
                results.Add(Enumerable.Range(0, take).Select(j => (i[q * take + j], s[q * take + j])).ToArray());
        }
        return results;
    }

    /// <summary>Every vector of <paramref name="graph"/> (keys 0 to <paramref name="count"/>-1) as a (count, dimensions) float32 matrix.</summary>
    public static Tensor Matrix(USearchIndex graph, int count, int dimensions, string folder)
    {
        var matrix = empty(count, dimensions, ScalarType.Float32);
        const int chunk = 4096;
        var rows = new float[chunk * dimensions];
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            for (int row = 0; row < n; row++)
            {
                if (graph.Get((ulong)(start + row), out float[] vector) < 1)
                    throw new InvalidDataException($"{folder}: row {start + row} has no vector in the graph: the index is damaged.");
                vector.CopyTo(rows, row * dimensions);
            }
            using var block = tensor(rows.AsSpan(0, n * dimensions).ToArray(), [n, dimensions]);
            using var target = matrix.narrow(0, start, n);
            target.copy_(block);
        }
        return matrix;
    }
}
