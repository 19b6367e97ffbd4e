using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Pth;

/// <summary>
/// Reads state dicts written by <c>torch.save</c> (PyTorch 1.6 and later: a zip archive holding
/// <c>data.pkl</c> and one entry per storage), with the same promise as
/// <c>torch.load(weights_only=True)</c>: the pickle may only name the tensor-rebuild functions,
/// storage types and OrderedDict; anything else is refused before it could run.
/// </summary>
public static class PthFile
{
    private const long MaxPickleBytes = 256L << 20;
    // Deflate cannot expand data more than about 1032 times; a larger declared size is a lie.
    private const long MaxDeflateRatio = 1032;

    private static readonly string[] NestedStateDictKeys = ["state_dict", "model_state_dict", "model"];

    private static readonly HashSet<PickleGlobal> RebuildFunctions =
    [
        new("torch._utils", "_rebuild_tensor_v2"),
        new("torch._utils", "_rebuild_parameter"),
        new("collections", "OrderedDict"),
    ];

    /// <summary>
    /// Loads the state dict's tensors onto the CPU, in file order. A checkpoint whose top level is a
    /// dict holding the state dict under "state_dict", "model_state_dict" or "model" is unwrapped.
    /// The caller owns the returned tensors. Errors are <see cref="PthFormatException"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weights file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
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
            var reader = new ArchiveReader(archive, stream.Length);
            try
            {
                return reader.ReadStateDict();
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

    /// <summary>One archive being read: finds its entries and turns the pickle into tensors.</summary>
    private sealed class ArchiveReader(ZipArchive archive, long fileLength)
    {
        private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);
        private readonly List<Tensor> _created = [];
        private string _prefix = "";

        public IReadOnlyList<(string Name, Tensor Tensor)> ReadStateDict()
        {
            var pickle = FindPickle();
            CheckByteOrder();
            byte[] program = ReadEntry(pickle, pickle.Length);
            var root = new RestrictedUnpickler(program, IsAllowed, Reduce, PersistentLoad).Load();
            var result = StateDictFrom(root);
            foreach (var storage in _storages.Values)
                storage.Dispose();
            return result;
        }

        public void DisposeAll()
        {
            foreach (var tensor in _created.Concat(_storages.Values))
                tensor.Dispose();
        }

        private ZipArchiveEntry FindPickle()
        {
            var candidates = archive.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length).ToList();
            if (candidates.Count != 1)
                throw new InvalidDataException(candidates.Count == 0
                    ? "the archive has no data.pkl (is it a TorchScript or other zip file?)"
                    : "the archive has more than one data.pkl");
            _prefix = candidates[0].FullName[..^"data.pkl".Length];
            if (candidates[0].Length > MaxPickleBytes)
                throw new InvalidDataException($"data.pkl declares {candidates[0].Length} bytes, over the {MaxPickleBytes} allowed");
            return candidates[0];
        }

        private void CheckByteOrder()
        {
            var entry = archive.GetEntry(_prefix + "byteorder");
            if (entry is null)
                return;
            string order = Encoding.ASCII.GetString(ReadEntry(entry, 16)).Trim();
            if (order != "little")
                throw new InvalidDataException($"byteorder is '{order}'; only little-endian files are supported");
        }

        private byte[] ReadEntry(ZipArchiveEntry entry, long maxLength)
        {
            CheckDeclaredSize(entry, Math.Min(entry.Length, maxLength));
            var bytes = new byte[Math.Min(entry.Length, maxLength)];
            using var content = entry.Open();
            content.ReadExactly(bytes);
            return bytes;
        }

        private void CheckDeclaredSize(ZipArchiveEntry entry, long expected)
        {
            if (entry.CompressedLength > fileLength || entry.Length > Math.Max(entry.CompressedLength, 1) * MaxDeflateRatio)
                throw new InvalidDataException($"entry '{entry.FullName}' declares {entry.Length} bytes, more than the file can hold");
            if (entry.Length != expected)
                throw new InvalidDataException($"entry '{entry.FullName}' holds {entry.Length} bytes; expected {expected}");
        }

        private static bool IsAllowed(PickleGlobal global) =>
            RebuildFunctions.Contains(global) || TorchStorageTypes.Lookup(global) is not null;

        private object? PersistentLoad(object? id)
        {
            if (id is not PickleTuple { Items: ["storage", PickleGlobal type, string key, string, long numel] })
                throw new InvalidDataException("persistent id is not ('storage', type, key, location, numel)");
            var dtype = TorchStorageTypes.Lookup(type) ?? throw new InvalidDataException($"'{type}' is not a storage type");
            if (_storages.TryGetValue(key, out var cached))
                return cached;
            if (numel < 0 || key.Contains('/') || key.Contains(".."))
                throw new InvalidDataException($"storage '{key}' is malformed");
            var entry = archive.GetEntry($"{_prefix}data/{key}")
                ?? throw new InvalidDataException($"storage '{key}' has no entry {_prefix}data/{key}");
            long bytes = checked(numel * TorchStorageTypes.ElementSize(dtype));
            CheckDeclaredSize(entry, bytes);
            if (bytes > int.MaxValue)
                throw new InvalidDataException($"storage '{key}' has {bytes} bytes, over the 2 GiB this library reads at once");
            var storage = empty(numel, dtype);
            _storages[key] = storage;
            if (bytes > 0)
            {
                using var content = entry.Open();
                content.ReadExactly(storage.bytes);
            }
            return storage;
        }

        private object? Reduce(PickleGlobal function, PickleTuple args) => function.Name switch
        {
            "OrderedDict" when args.Items.Count == 0 || args.Items is [List<object?> { Count: 0 }] => new PickleDict(),
            "_rebuild_tensor_v2" when args.Items.Count is 6 or 7 => RebuildTensor(args.Items),
            "_rebuild_parameter" when args.Items is [Tensor data, bool, _] => data,
            _ => throw new InvalidDataException($"unexpected arguments to {function}"),
        };

        private Tensor RebuildTensor(IReadOnlyList<object?> args)
        {
            if (args is not [Tensor storage, long offset, PickleTuple size, PickleTuple stride, bool, ..])
                throw new InvalidDataException("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, requires_grad, hooks)");
            long[] shape = Longs(size, "size");
            long[] strides = Longs(stride, "stride");
            if (shape.Length != strides.Length || shape.Any(d => d < 0) || strides.Any(s => s < 0) || offset < 0)
                throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] with strides [{string.Join(", ", strides)}] is malformed");
            long numel = storage.numel();
            bool empty = shape.Any(d => d == 0);
            Int128 last = offset;
            for (int i = 0; i < shape.Length; i++)
                last += (Int128)(shape[i] - 1) * strides[i];
            if (!empty && last >= numel || empty && offset > numel)
                throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] reaches past its storage of {numel} elements");

            Tensor tensor = IsWholeContiguous(shape, strides, offset, numel)
                ? storage.view(shape)
                : storage.as_strided(shape, strides, offset).clone();
            _created.Add(tensor);
            return tensor;
        }

        private static bool IsWholeContiguous(long[] shape, long[] strides, long offset, long numel)
        {
            long expected = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                if (shape[i] != 1 && strides[i] != expected)
                    return false;
                expected *= shape[i];
            }
            return offset == 0 && expected == numel;
        }

        private static long[] Longs(PickleTuple tuple, string what) =>
            tuple.Items.Select(i => i as long? ?? throw new InvalidDataException($"tensor {what} holds a non-integer")).ToArray();

        private List<(string, Tensor)> StateDictFrom(object? root)
        {
            if (root is not PickleDict dict)
                throw new InvalidDataException("the file does not hold a dict of tensors");
            if (dict.Items.Any(item => item.Value is not Tensor))
            {
                var nested = NestedStateDictKeys.Select(dict.Get).OfType<PickleDict>().FirstOrDefault();
                if (nested is null)
                {
                    var other = dict.Items.First(item => item.Value is not Tensor);
                    throw new InvalidDataException(
                        $"entry '{other.Key}' is not a tensor, and there is no nested state dict under {string.Join(", ", NestedStateDictKeys.Select(k => $"'{k}'"))}");
                }
                return StateDictFrom(nested);
            }
            var result = new List<(string, Tensor)>(dict.Count);
            foreach (var (key, value) in dict.Items)
            {
                if (key is not string name)
                    throw new InvalidDataException($"state dict key {key} is not a string");
                result.Add((name, (Tensor)value!));
            }
            // Tensors outside the chosen state dict (e.g. optimizer state) are freed now.
            foreach (var unused in _created.Except(result.Select(r => r.Item2)).ToList())
                unused.Dispose();
            return result;
        }
    }
}
