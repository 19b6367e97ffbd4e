using System.IO.Hashing;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// A checksum of each tensor's bytes (XXH3, 64-bit), stored in a checkpoint's metadata and checked when it
/// is read back, so a flipped bit is found instead of resumed silently. It guards against damage, not tampering.
/// </summary>
internal static class TensorDigest
{
    /// <summary>The digest of a CPU tensor's bytes, as 16 hex digits.</summary>
    public static string Of(Tensor tensor)
    {
        using var contiguous = tensor.contiguous();
        return tensor.numel() == 0 ? Convert.ToHexStringLower(XxHash3.Hash(ReadOnlySpan<byte>.Empty)) : Convert.ToHexStringLower(XxHash3.Hash(contiguous.bytes));
    }

    /// <summary>Throws a <see cref="FormatException"/> naming the first tensor whose bytes differ from its digest, or one without a digest.</summary>
    public static void Verify(IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> digests, string path)
    {
        foreach (var (name, tensor) in tensors)
        {
            if (!digests.TryGetValue(name, out var expected))
                throw new FormatException($"{path}: tensor '{name}' has no digest.");
            if (Of(tensor) != expected)
                throw new FormatException($"{path}: tensor '{name}' does not match its digest (the file is damaged).");
        }
        if (digests.Count != tensors.Count())
            throw new FormatException($"{path}: {digests.Count} digests for {tensors.Count()} tensors.");
    }
}
