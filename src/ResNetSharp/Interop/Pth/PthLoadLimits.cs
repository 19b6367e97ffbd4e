namespace ResNetSharp.Interop.Pth;

/// <summary>
/// What reading one .pth file may cost, counted over the whole file rather than per entry: a tiny archive
/// can otherwise name one deflate stream many times, unpickle millions of objects, or describe huge
/// views of a one-element storage. The file itself bounds the load too: zip entries may not share data,
/// no entry may claim more than deflate can expand, and the tensors returned may add up to at most twice
/// the storage bytes read plus <see cref="TensorSlackBytes"/>.
/// </summary>
public sealed record PthLoadLimits
{
    /// <summary>Bytes the returned tensors may exceed twice their storages by (views and tied weights).</summary>
    public const long TensorSlackBytes = 64L << 20;

    /// <summary>Bytes decompressed from the archive, data.pkl and storages together.</summary>
    public long MaxDecompressedBytes { get; init; } = 16L << 30;

    /// <summary>Objects the pickle may create or insert into containers (a state dict needs about 25 per tensor).</summary>
    public long MaxPickleObjects { get; init; } = 1_000_000;

    /// <summary>Bytes of the returned tensors, each counted as if copied out of its storage (shape times element size).</summary>
    public long MaxTensorBytes { get; init; } = 16L << 30;

    /// <summary>The default limits: a ResNet of two billion float32 parameters fits several times over.</summary>
    public static PthLoadLimits Default { get; } = new();

    /// <summary>
    /// Limits for loading into a model whose state holds <paramref name="modelBytes"/> bytes: sixteen times
    /// that (a float64 checkpoint with optimiser state and a weight average still fits) plus 64 MiB.
    /// </summary>
    public static PthLoadLimits ForModelBytes(long modelBytes)
    {
        long bytes = checked(16 * modelBytes + TensorSlackBytes);
        return new PthLoadLimits { MaxDecompressedBytes = bytes, MaxTensorBytes = bytes };
    }
}
