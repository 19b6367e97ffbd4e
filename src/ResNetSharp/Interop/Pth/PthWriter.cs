using System.IO.Compression;
using System.Text;
using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Pth;

/// <summary>
/// Writes a state dict in the torch.save zip format (an OrderedDict of tensors, one storage entry
/// each), loadable with <c>torch.load(f, weights_only=True)</c>. The file is replaced atomically.
/// </summary>
public static class PthWriter
{
    /// <summary>Writes the tensors (any device; stored contiguous on the CPU) under their names, in order.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var list = tensors.ToList();
        WeightLoader.RequireUniqueNames(list.Select(t => t.Name), path);
        string archive = ArchiveName(path);

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, $"{archive}/data.pkl", Pickle(list));
            WriteEntry(zip, $"{archive}/byteorder", Encoding.ASCII.GetBytes("little"));
            for (int i = 0; i < list.Count; i++)
            {
                using var scope = NewDisposeScope();
                var cpu = list[i].Tensor.detach().cpu().contiguous();
                WriteEntry(zip, $"{archive}/data/{i}", cpu.bytes);
            }
            WriteEntry(zip, $"{archive}/version", Encoding.ASCII.GetBytes("3\n"));
        });
    }

    private static byte[] Pickle(List<(string Name, Tensor Tensor)> tensors)
    {
        var pickle = new PickleWriter();
        pickle.EmptyOrderedDict();
        pickle.Mark();
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            pickle.String(name);
            pickle.Global("torch._utils", "_rebuild_tensor_v2");
            pickle.Mark();
            pickle.Mark();
            pickle.String("storage");
            pickle.Global("torch", TorchStorageTypes.NameOf(tensor.dtype));
            pickle.String(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            pickle.String("cpu");
            pickle.Int(tensor.numel());
            pickle.Tuple();
            pickle.PersistentId();
            pickle.Int(0);
            pickle.IntTuple(tensor.shape);
            pickle.IntTuple(ContiguousStrides(tensor.shape));
            pickle.False();
            pickle.EmptyOrderedDict();
            pickle.Tuple();
            pickle.Reduce();
        }
        pickle.SetItems();
        return pickle.Finish();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    private static void WriteEntry(ZipArchive zip, string name, ReadOnlySpan<byte> content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var stream = entry.Open();
        stream.Write(content);
    }

    // torch.save names the archive's folder after the file; any plain name loads.
    private static string ArchiveName(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return stem.Length > 0 && stem.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? stem : "archive";
    }
}
