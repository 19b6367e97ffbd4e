namespace ResNetSharp.Search;

/// <summary>Feature vectors as the index compares them: finite, non-zero, scaled to length 1.</summary>
internal static class UnitVector
{
    /// <summary>A unit-length copy of <paramref name="vector"/>; <paramref name="what"/> names it in the <see cref="ArgumentException"/> a wrong length, a non-finite value or all zeros get.</summary>
    public static float[] Of(ReadOnlySpan<float> vector, int dimensions, string what)
    {
        if (vector.Length != dimensions)
            throw new ArgumentException($"{what} has {vector.Length} values; the index's vectors have {dimensions}.");
        double sum = 0;
        foreach (float v in vector)
        {
            if (!float.IsFinite(v))
                throw new ArgumentException($"{what} holds {v}; vectors must be finite.");
            sum += (double)v * v;
        }
        if (sum == 0)
            throw new ArgumentException($"{what} is all zeros; it has no direction to compare.");
        float scale = (float)(1 / Math.Sqrt(sum));
        var result = new float[vector.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = vector[i] * scale;
        return result;
    }
}
