using System.IO.Compression;
using System.Text;
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
    // A state dict's pickle takes about 200 bytes per tensor: 16 MiB is room for 80,000 tensors.
    private const long MaxPickleBytes = 16L << 20;
    // Checkpoints nest the state dict a level or two deep ({"model": {...}}); more is not a checkpoint.
    private const int MaxNesting = 8;
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
    /// The caller owns the returned tensors. Errors are <see cref="PthFormatException"/>, including a file
    /// that goes over <paramref name="limits"/> (default <see cref="PthLoadLimits.Default"/>).
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> Load(string path, PthLoadLimits? limits = null) =>
        Read(path, limits ?? PthLoadLimits.Default).Tensors;

    /// <summary>The state dict's tensors and the number of values their storages hold (what the file really contains).</summary>
    internal static (IReadOnlyList<(string Name, Tensor Tensor)> Tensors, long StoredValues) Read(string path, PthLoadLimits limits)
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
            var reader = new ArchiveReader(archive, stream.Length, limits);
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

    /// <summary>A storage the pickle loaded: only a rebuild function may turn it into a tensor (it is not one itself).</summary>
    private sealed record StorageRef(Tensor Data, string Key);

    /// <summary>One archive being read: finds its entries and turns the pickle into tensors.</summary>
    private sealed class ArchiveReader(ZipArchive archive, long fileLength, PthLoadLimits limits)
    {
        private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);
        private readonly List<Tensor> _created = [];
        private string _prefix = "";
        private long _decompressedBytes;
        private long _storageBytes;

        public (IReadOnlyList<(string Name, Tensor Tensor)>, long) ReadStateDict()
        {
            CheckEntriesDoNotOverlap();
            var pickle = FindPickle();
            CheckByteOrder();
            byte[] program = ReadEntry(pickle, pickle.Length);
            var root = new RestrictedUnpickler(program, IsAllowed, Reduce, PersistentLoad, limits.MaxPickleObjects).Load();
            var result = StateDictFrom(root);
            CheckTensorBytes(result);
            long storedValues = _storages.Values.Sum(s => s.Data.numel());
            foreach (var (storage, _) in _storages.Values)
                storage.Dispose(); // views keep what they use alive, as torch's tensors do
            return (result, storedValues);
        }

        public void DisposeAll()
        {
            foreach (var tensor in _created.Concat(_storages.Values.Select(s => s.Data)))
                tensor.Dispose();
        }

        /// <summary>
        /// Entries written by torch.save never share bytes; a central directory that names one compressed
        /// stream several times (to decompress it again and again) adds up to more than the file.
        /// </summary>
        private void CheckEntriesDoNotOverlap()
        {
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                total += entry.CompressedLength;
                if (entry.CompressedLength < 0 || total > fileLength)
                    throw new InvalidDataException(
                        $"the archive's entries claim {total} compressed bytes by '{entry.FullName}', more than the {fileLength}-byte file holds (entries sharing data)");
            }
        }

        private void CountDecompressed(ZipArchiveEntry entry, long bytes)
        {
            _decompressedBytes += bytes;
            if (_decompressedBytes > limits.MaxDecompressedBytes)
                throw new InvalidDataException(
                    $"entry '{entry.FullName}' takes the load to {_decompressedBytes} decompressed bytes, over the {limits.MaxDecompressedBytes} allowed");
        }

        /// <summary>Views may overlap (tied or expanded tensors), but not without bound: a huge view of a tiny storage is refused.</summary>
        private void CheckTensorBytes(List<(string Name, Tensor Tensor)> tensors)
        {
            long allowed = Math.Min(limits.MaxTensorBytes, 2 * _storageBytes + PthLoadLimits.TensorSlackBytes);
            Int128 total = 0;
            foreach (var (name, tensor) in tensors)
            {
                total += (Int128)tensor.numel() * TorchStorageTypes.ElementSize(tensor.dtype);
                if (total > allowed)
                    throw new InvalidDataException(
                        $"tensor '{name}' [{string.Join(", ", tensor.shape)}] takes the state dict past {allowed} bytes, though its storages hold {_storageBytes}");
            }
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
            CountDecompressed(entry, Math.Min(entry.Length, maxLength));
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
            if (numel > long.MaxValue / 8)
                throw new InvalidDataException($"storage '{key}' declares {numel} elements");
            long bytes = numel * TorchStorageTypes.ElementSize(dtype);
            CheckDeclaredSize(entry, bytes);
            if (bytes > int.MaxValue)
                throw new InvalidDataException($"storage '{key}' has {bytes} bytes, over the 2 GiB this library reads at once");
            CountDecompressed(entry, bytes);
            _storageBytes += bytes;
            var storage = empty(numel, dtype);
            var reference = new StorageRef(storage, key);
            _storages[key] = reference;
            if (bytes > 0)
            {
                using var content = entry.Open();
                content.ReadExactly(storage.bytes);
            }
            return reference;
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
            if (args is not [StorageRef { Data: var storage }, long offset, PickleTuple size, PickleTuple stride, bool, ..])
                throw new InvalidDataException("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, requires_grad, hooks)");
            long[] shape = Longs(size, "size");
            long[] strides = Longs(stride, "stride");
            if (shape.Length != strides.Length || shape.Any(d => d < 0) || strides.Any(s => s < 0) || offset < 0)
                throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] with strides [{string.Join(", ", strides)}] is malformed");
            long numel = storage.numel();
            bool empty = shape.Any(d => d == 0);
            Int128 last = offset, elements = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                last += (Int128)(shape[i] - 1) * strides[i];
                elements *= shape[i];
                if (elements > long.MaxValue / 8)
                    throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] has more elements than any tensor can");
            }
            if (!empty && last >= numel || empty && offset > numel)
                throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] reaches past its storage of {numel} elements");

            // A view shares its storage, as torch.load's tensors do: copying each view out would let a
            // stride-0 view of a huge shape turn a tiny file into gigabytes.
            Tensor tensor = IsWholeContiguous(shape, strides, offset, numel)
                ? storage.view(shape)
                : storage.as_strided(shape, strides, offset);
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

        /// <summary>
        /// The state dict: the root, or the dict nested under one of <see cref="NestedStateDictKeys"/>, followed
        /// at most <see cref="MaxNesting"/> levels deep; a dict that (indirectly) contains itself is refused.
        /// </summary>
        private List<(string, Tensor)> StateDictFrom(object? root)
        {
            if (root is not PickleDict dict)
                throw new InvalidDataException("the file does not hold a dict of tensors");
            var visited = new HashSet<PickleDict>(ReferenceEqualityComparer.Instance);
            while (dict.Items.Any(item => item.Value is not Tensor))
            {
                if (!visited.Add(dict))
                    throw new InvalidDataException($"the nested state dicts under {string.Join(", ", NestedStateDictKeys.Select(k => $"'{k}'"))} contain each other (a cycle)");
                if (visited.Count > MaxNesting)
                    throw new InvalidDataException($"the state dict is nested more than {MaxNesting} levels deep");
                var nested = NestedStateDictKeys.Select(dict.Get).OfType<PickleDict>().FirstOrDefault();
                if (nested is null)
                {
                    var other = dict.Items.First(item => item.Value is not Tensor);
                    throw new InvalidDataException(
                        $"entry '{other.Key}' is not a tensor, and there is no nested state dict under {string.Join(", ", NestedStateDictKeys.Select(k => $"'{k}'"))}");
                }
                dict = nested;
            }
            var result = new List<(string, Tensor)>(dict.Count);
            var named = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            foreach (var (key, value) in dict.Items)
            {
                if (key is not string name)
                    throw new InvalidDataException($"state dict key {key} is not a string");
                var tensor = (Tensor)value!;
                if (!named.Add(tensor))
                {
                    // One tensor under two names (tied weights): each name gets its own handle to the same memory.
                    tensor = tensor.alias();
                    _created.Add(tensor);
                }
                result.Add((name, tensor));
            }
            // Tensors outside the chosen state dict (e.g. optimizer state) are freed now.
            var kept = new HashSet<Tensor>(result.Select(r => r.Item2), ReferenceEqualityComparer.Instance);
            foreach (var unused in _created.Where(t => !kept.Contains(t)))
                unused.Dispose();
            return result;
        }
    }
}
