using System.IO.Compression;
using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Pth;

/// <summary>
/// Reads state dicts written by <c>torch.save</c> (PyTorch 1.6 and later: a zip archive holding
/// <c>data.pkl</c> and one entry per storage), with the same promise as
/// <c>torch.load(weights_only=True)</c>: the pickle may only name the tensor-rebuild functions,
/// storage types and OrderedDict; anything else is refused before it could run. As with torch.load,
/// tensors that are views of one storage share it (a view is never copied out), and the whole load is
/// held to a budget (<see cref="PthLoadLimits"/>).
/// </summary>
public static class PthFile
{
    /// <summary>
    /// Loads the state dict's tensors onto the CPU, in file order. A checkpoint whose top level is a
    /// dict holding the state dict under "state_dict", "model_state_dict" or "model" is unwrapped.
    /// The caller owns the returned tensors. Errors are <see cref="PthFormatException"/>, including a file
    /// that goes over <paramref name="limits"/> (default <see cref="PthLoadLimits.Default"/>).
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> Load(string path, PthLoadLimits? limits = null) =>
        Read(path, limits ?? PthLoadLimits.Default, reader => reader.ReadStateDict());

    /// <summary>
    /// The state dict's names and shapes, and the values its storages hold, from the pickle alone: no
    /// storage is decompressed, so a small file cannot make this allocate more than its pickle. The file
    /// is checked as <see cref="Load"/> checks it, short of reading the tensor data.
    /// </summary>
    internal static (IReadOnlyList<(string Name, long[] Shape)> Shapes, long StoredValues) ReadShapes(string path) =>
        Read(path, PthLoadLimits.Default, reader => reader.ReadShapes());

    private static T Read<T>(string path, PthLoadLimits limits, Func<PthArchiveReader, T> read)
    {
        using var stream = InputFile.OpenRead(path, "Weights file", 1 << 20);
        CheckMagic(stream, path);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new PthFormatException(path, $"damaged zip archive ({e.Message})");
        }
        using (archive)
        {
            var reader = new PthArchiveReader(archive, stream.Length, limits);
            try
            {
                return read(reader);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                reader.DisposeAll();
                throw new PthFormatException(path, e.Message);
            }
            catch
            {
                reader.DisposeAll();
                throw;
            }
        }
    }

    private static void CheckMagic(Stream stream, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        int read = stream.Read(magic);
        stream.Position = 0;
        if (read == 4 && magic.SequenceEqual("PK\u0003\u0004"u8))
            return;
        if (read >= 1 && magic[0] == 0x80)
            throw new PthFormatException(path,
                "this is the legacy torch.save format (before PyTorch 1.6); re-save it with a current PyTorch: torch.save(torch.load(f), f)");
        throw new PthFormatException(path, "not a zip archive (expected a file written by torch.save)");
    }
}
