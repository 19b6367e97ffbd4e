using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Pth;

/// <summary>
/// One torch.save archive being read. The pickle is run first, and only describes: each storage it names
/// becomes a <see cref="StorageRef"/> (key, dtype, size; nothing decompressed) and each rebuild call a
/// <see cref="TensorView"/> of one. Shapes come from those descriptions alone; loading then reads only the
/// storages the chosen state dict uses, each once, and makes every tensor a view of its storage.
/// </summary>
internal sealed class PthArchiveReader(ZipArchive archive, long fileLength, PthLoadLimits limits)
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

    /// <summary>A storage the pickle named, not yet read: only a rebuild function may turn it into a tensor (it is not one itself).</summary>
    private sealed record StorageRef(string Key, ScalarType DType, long Numel, ZipArchiveEntry Entry)
    {
        public long Bytes => Numel * TorchStorageTypes.ElementSize(DType);
    }

    /// <summary>A tensor as the pickle describes it: a view of <paramref name="storage"/>. Compared by reference (a tied weight is one view under two names).</summary>
    private sealed class TensorView(StorageRef storage, long offset, long[] shape, long[] strides)
    {
        public StorageRef Storage => storage;
        public long Offset => offset;
        public long[] Shape => shape;
        public long[] Strides => strides;

        /// <summary>Bytes the view covers if copied out (shape times element size; the shape's product was checked to fit a long).</summary>
        public Int128 Bytes => (Int128)shape.Aggregate(1L, (a, d) => a * d) * TorchStorageTypes.ElementSize(storage.DType);
    }

    private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);
    private readonly List<Tensor> _created = [];
    private string _prefix = "";
    private long _decompressedBytes;

    /// <summary>The chosen state dict's tensors, each a view of its storage; the caller owns them.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> ReadStateDict()
    {
        var views = StateDictViews();
        var storages = new Dictionary<StorageRef, Tensor>(ReferenceEqualityComparer.Instance);
        var tensors = new Dictionary<TensorView, Tensor>(ReferenceEqualityComparer.Instance);
        var result = new List<(string, Tensor)>(views.Count);
        try
        {
            foreach (var (name, view) in views)
            {
                Tensor tensor;
                if (tensors.TryGetValue(view, out var named))
                    tensor = named.alias(); // one tensor under two names (tied weights): each name gets its own handle to the same memory
                else
                {
                    if (!storages.TryGetValue(view.Storage, out var storage))
                        storages[view.Storage] = storage = ReadStorage(view.Storage);
                    tensor = IsWholeContiguous(view, storage.numel()) ? storage.view(view.Shape) : storage.as_strided(view.Shape, view.Strides, view.Offset);
                    tensors[view] = tensor;
                }
                _created.Add(tensor);
                result.Add((name, tensor));
            }
            return result;
        }
        finally
        {
            foreach (var storage in storages.Values)
                storage.Dispose(); // views keep what they use alive, as torch's tensors do
        }
    }

    /// <summary>The chosen state dict's names and shapes, and the values of the storages it uses, without reading any storage.</summary>
    public (IReadOnlyList<(string Name, long[] Shape)>, long StoredValues) ReadShapes()
    {
        var views = StateDictViews();
        long stored = views.Select(v => v.View.Storage).Distinct().Sum(s => s.Numel);
        return (views.Select(v => (v.Name, v.View.Shape)).ToList(), stored);
    }

    public void DisposeAll()
    {
        foreach (var tensor in _created)
            tensor.Dispose();
    }

    private List<(string Name, TensorView View)> StateDictViews()
    {
        CheckEntriesDoNotOverlap();
        var pickle = FindPickle();
        CheckByteOrder();
        byte[] program = ReadEntry(pickle, pickle.Length);
        var root = new RestrictedUnpickler(program, IsAllowed, Reduce, PersistentLoad, limits.MaxPickleObjects).Load();
        var views = StateDictFrom(root);
        CheckTensorBytes(views);
        return views;
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

    /// <summary>
    /// Views may overlap (tied or expanded tensors), but not without bound: a huge view of a tiny storage is
    /// refused. The state dict's tensors may cover at most twice its storages' bytes plus some slack.
    /// </summary>
    private void CheckTensorBytes(List<(string Name, TensorView View)> views)
    {
        long storageBytes = views.Select(v => v.View.Storage).Distinct().Sum(s => s.Bytes);
        long allowed = Math.Min(limits.MaxTensorBytes, 2 * storageBytes + PthLoadLimits.TensorSlackBytes);
        Int128 total = 0;
        foreach (var (name, view) in views)
        {
            total += view.Bytes;
            if (total > allowed)
                throw new InvalidDataException(
                    $"tensor '{name}' [{string.Join(", ", view.Shape)}] takes the state dict past {allowed} bytes, though its storages hold {storageBytes}");
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

    /// <summary>Describes the storage a persistent id names, checking its entry's declared size; its data is read only when a tensor needs it.</summary>
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
        var storage = new StorageRef(key, dtype, numel, entry);
        CheckDeclaredSize(entry, storage.Bytes);
        if (storage.Bytes > int.MaxValue)
            throw new InvalidDataException($"storage '{key}' has {storage.Bytes} bytes, over the 2 GiB this library reads at once");
        _storages[key] = storage;
        return storage;
    }

    private Tensor ReadStorage(StorageRef storage)
    {
        CountDecompressed(storage.Entry, storage.Bytes);
        var data = empty(storage.Numel, storage.DType);
        try
        {
            if (storage.Bytes > 0)
            {
                using var content = storage.Entry.Open();
                content.ReadExactly(data.bytes);
            }
            return data;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private object? Reduce(PickleGlobal function, PickleTuple args) => function.Name switch
    {
        "OrderedDict" when args.Items.Count == 0 || args.Items is [List<object?> { Count: 0 }] => new PickleDict(),
        "_rebuild_tensor_v2" when args.Items.Count is 6 or 7 => RebuildTensor(args.Items),
        "_rebuild_parameter" when args.Items is [TensorView data, bool, _] => data,
        _ => throw new InvalidDataException($"unexpected arguments to {function}"),
    };

    private static TensorView RebuildTensor(IReadOnlyList<object?> args)
    {
        if (args is not [StorageRef storage, long offset, PickleTuple size, PickleTuple stride, bool, ..])
            throw new InvalidDataException("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, requires_grad, hooks)");
        long[] shape = Longs(size, "size");
        long[] strides = Longs(stride, "stride");
        if (shape.Length != strides.Length || shape.Any(d => d < 0) || strides.Any(s => s < 0) || offset < 0)
            throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] with strides [{string.Join(", ", strides)}] is malformed");
        bool empty = shape.Any(d => d == 0);
        Int128 last = offset, elements = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            last += (Int128)(shape[i] - 1) * strides[i];
            elements *= shape[i];
            if (elements > long.MaxValue / 8)
                throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] has more elements than any tensor can");
        }
        if (!empty && last >= storage.Numel || empty && offset > storage.Numel)
            throw new InvalidDataException($"tensor view [{string.Join(", ", shape)}] reaches past its storage of {storage.Numel} elements");
        return new TensorView(storage, offset, shape, strides);
    }

    /// <summary>
    /// Whether the view is its whole storage in order, so a plain reshape serves; otherwise it is made with
    /// as_strided and shares the storage, as torch.load's tensors do: copying each view out would let a
    /// stride-0 view of a huge shape turn a tiny file into gigabytes.
    /// </summary>
    private static bool IsWholeContiguous(TensorView view, long numel)
    {
        long expected = 1;
        for (int i = view.Shape.Length - 1; i >= 0; i--)
        {
            if (view.Shape[i] != 1 && view.Strides[i] != expected)
                return false;
            expected *= view.Shape[i];
        }
        return view.Offset == 0 && expected == numel;
    }

    private static long[] Longs(PickleTuple tuple, string what) =>
        tuple.Items.Select(i => i as long? ?? throw new InvalidDataException($"tensor {what} holds a non-integer")).ToArray();

    /// <summary>
    /// The state dict: the root, or the dict nested under one of <see cref="NestedStateDictKeys"/>, followed
    /// at most <see cref="MaxNesting"/> levels deep; a dict that (indirectly) contains itself is refused.
    /// Tensors outside it (e.g. optimizer state) are never read.
    /// </summary>
    private static List<(string, TensorView)> StateDictFrom(object? root)
    {
        if (root is not PickleDict dict)
            throw new InvalidDataException("the file does not hold a dict of tensors");
        var visited = new HashSet<PickleDict>(ReferenceEqualityComparer.Instance);
        while (dict.Items.Any(item => item.Value is not TensorView))
        {
            if (!visited.Add(dict))
                throw new InvalidDataException($"the nested state dicts under {string.Join(", ", NestedStateDictKeys.Select(k => $"'{k}'"))} contain each other (a cycle)");
            if (visited.Count > MaxNesting)
                throw new InvalidDataException($"the state dict is nested more than {MaxNesting} levels deep");
            var nested = NestedStateDictKeys.Select(dict.Get).OfType<PickleDict>().FirstOrDefault();
            if (nested is null)
            {
                var other = dict.Items.First(item => item.Value is not TensorView);
                throw new InvalidDataException(
                    $"entry '{other.Key}' is not a tensor, and there is no nested state dict under {string.Join(", ", NestedStateDictKeys.Select(k => $"'{k}'"))}");
            }
            dict = nested;
        }
        return dict.Items.Select(item => item.Key is string name ? (name, (TensorView)item.Value!)
            : throw new InvalidDataException($"state dict key {item.Key} is not a string")).ToList();
    }
}
