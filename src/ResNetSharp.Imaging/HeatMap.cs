namespace ResNetSharp.Imaging;

/// <summary>A map of importance over an image, one value in [0, 1] per pixel, row-major.</summary>
/// <param name="Values">Height * Width values; 1 is the most important pixel.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record HeatMap(float[] Values, int Height, int Width)
{
    /// <summary>Column and row of the largest value (the first, in row-major order, on ties).</summary>
    public (int X, int Y) Peak
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Values.Length; i++)
                if (Values[i] > Values[best])
                    best = i;
            return (best % Width, best / Width);
        }
    }

    /// <summary>The value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y] => Values[y * Width + x];
}
