namespace ResNetSharp.Training;

/// <summary>Derives independent, reproducible seeds from a run seed and a counter.</summary>
internal static class Seeds
{
    public static long Mix(long seed, long counter)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)counter + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) & 0x7FFF_FFFF_FFFF_FFFFUL);
    }
}
