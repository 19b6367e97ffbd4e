using Cloud.Unum.USearch;
using ResNetSharp.Common;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Search;

/// <summary>Settings of an index's HNSW graph; 0 keeps USearch's default.</summary>
/// <param name="Connectivity">Neighbours per node (M in the HNSW paper; USearch's default 16). Fixed when the index is created.</param>
/// <param name="ExpansionAdd">Candidates considered when inserting (efConstruction; default 128).</param>
/// <param name="ExpansionSearch">Candidates considered when searching (ef; default 64): higher finds more true neighbours, more slowly. Stored with the index.</param>
public sealed record ImageIndexOptions(int Connectivity = 0, int ExpansionAdd = 0, int ExpansionSearch = 0);

/// <summary>
/// Images searchable by similarity: L2-normalised pooled features of one model in a USearch HNSW graph on
/// disk, with the images' paths and the model (spec, weights digest, preprocessing) kept beside it, so
/// queries are embedded exactly as the indexed images were.
/// <para>
/// On disk it is a folder: <c>index.json</c> (the commit point), <c>vectors-N.usearch</c> (the graph and
/// the vectors) and <c>paths-N.jsonl</c> (one path per row, as JSON lines). <see cref="Save"/> writes a new
/// generation and then swaps <c>index.json</c> atomically, so an interrupted save leaves the previous index
/// intact. Opened read-only, the graph is memory-mapped (large indexes open at once and share pages between
/// processes); opened writable, it is loaded into memory.
/// </para>
/// <para>
/// Thread safety: any number of searches may run at once (each waits for one of
/// <see cref="Environment.ProcessorCount"/> native search slots); <see cref="Add(IReadOnlyList{string}, ReadOnlySpan{float})"/>
/// and <see cref="Save"/> wait for running searches and block new ones while they change the index.
/// </para>
/// </summary>
public sealed class ImageIndex : IDisposable
{
    /// <summary>The only metric: cosine similarity, as the inner product of unit vectors.</summary>
    public const string Metric = "cosine";

    private const string LockFile = "index.lock";

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _searchSlots = new(Math.Max(1, Environment.ProcessorCount));
    private readonly object _lazyLock = new();
    private readonly FileStream? _writerLock;
    private readonly Device? _device;
    private readonly List<string> _paths;
    private readonly HashSet<string> _known;
    private USearchIndex _graph;
    private ImageIndexManifest? _committed;
    private ImageEmbedder? _embedder;
    private bool _ownsEmbedder = true;
    private Tensor? _matrix;
    private bool _disposed;

    private ImageIndex(string folder, IndexedModel model, ImageIndexOptions options, USearchIndex graph, List<string> paths,
        ImageIndexManifest? committed, FileStream? writerLock, Device? device)
    {
        Folder = folder;
        Model = model;
        Options = options;
        _graph = graph;
        _paths = paths;
        _known = new HashSet<string>(paths, StringComparer.Ordinal);
        _committed = committed;
        _writerLock = writerLock;
        _device = device;
    }

    /// <summary>The index folder.</summary>
    public string Folder { get; }

    /// <summary>The model whose features the index holds.</summary>
    public IndexedModel Model { get; }

    /// <summary>The graph's settings.</summary>
    public ImageIndexOptions Options { get; }

    /// <summary>Length of each vector.</summary>
    public int Dimensions => Model.Dimensions;

    /// <summary>Opened read-only (memory-mapped): searches only.</summary>
    public bool IsReadOnly => _writerLock is null;

    /// <summary>Whether the index has changes that <see cref="Save"/> has not written.</summary>
    public bool HasUnsavedChanges { get; private set; }

    /// <summary>Images in the index.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _paths.Count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Whether <paramref name="path"/> is in the index (exactly as it was added).</summary>
    public bool Contains(string path)
    {
        _lock.EnterReadLock();
        try { return _known.Contains(path); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The indexed paths, by row.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            _lock.EnterReadLock();
            try { return _paths.ToList(); }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>
    /// A new, empty index in <paramref name="folder"/> (created if needed; one that already holds an index is
    /// refused), open for adding. Nothing is written until <see cref="Save"/>.
    /// </summary>
    /// <param name="folder">The index folder.</param>
    /// <param name="model">The model the vectors come from.</param>
    /// <param name="options">Graph settings.</param>
    /// <param name="device">Where the model runs when images are embedded through the index.</param>
    /// <param name="embedder">The model already loaded, to embed with instead of loading it again (the caller keeps and disposes it).</param>
    public static ImageIndex Create(string folder, IndexedModel model, ImageIndexOptions? options = null, Device? device = null,
        ImageEmbedder? embedder = null)
    {
        if (embedder is not null && !embedder.Description.SameEmbeddingAs(model))
            throw new ArgumentException("the embedder's model is not the one the index is created for.", nameof(embedder));
        folder = Path.GetFullPath(folder);
        if (File.Exists(ImageIndexManifest.PathIn(folder)))
            throw new IOException($"{folder} already holds an image index; open it to add images, or choose another folder.");
        if (File.Exists(folder))
            throw new IOException($"{folder} is a file; an image index is a folder.");
        options ??= new ImageIndexOptions();
        if (options.Connectivity < 0 || options.ExpansionAdd < 0 || options.ExpansionSearch < 0)
            throw new ArgumentException($"ImageIndexOptions: Connectivity ({options.Connectivity}), ExpansionAdd ({options.ExpansionAdd}) and " +
                $"ExpansionSearch ({options.ExpansionSearch}) must be 0 (default) or more.", nameof(options));
        if (model.Dimensions < 1)
            throw new ArgumentException($"IndexedModel.Dimensions must be positive; got {model.Dimensions}.", nameof(model));
        Directory.CreateDirectory(folder);
        var writerLock = TakeWriterLock(folder);
        try
        {
            var graph = NewGraph(model.Dimensions, options);
            if (options.ExpansionSearch > 0)
                USearchInternals.SetExpansionSearch(graph, options.ExpansionSearch);
            return new ImageIndex(folder, model, options, graph, [], null, writerLock, device)
            {
                HasUnsavedChanges = true,
                _embedder = embedder,
                _ownsEmbedder = embedder is null,
            };
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the index in <paramref name="folder"/>. Read-only (the default) memory-maps the graph; writable
    /// loads it and holds the folder's writer lock, so a second writer is refused. Every file is checked
    /// against index.json first (size, and the checksum unless <paramref name="verify"/> is false); any
    /// problem is an <see cref="InvalidDataException"/> naming the file, and nothing on disk is changed.
    /// </summary>
    public static ImageIndex Open(string folder, bool writable = false, bool verify = true, Device? device = null)
    {
        folder = Path.GetFullPath(folder);
        var manifest = ImageIndexManifest.Read(folder);
        try
        {
            return Open(folder, manifest, writable, verify, device);
        }
        catch (InvalidDataException) when (!writable && ImageIndexManifest.Read(folder).Generation != manifest.Generation)
        {
            // A writer saved a new generation between our reading index.json and its files: open that one.
            return Open(folder, ImageIndexManifest.Read(folder), writable, verify, device);
        }
    }

    private static ImageIndex Open(string folder, ImageIndexManifest manifest, bool writable, bool verify, Device? device)
    {
        var writerLock = writable ? TakeWriterLock(folder) : null;
        try
        {
            manifest.Vectors.Check(folder, verify);
            manifest.Paths.Check(folder, verify);
            string pathsFile = Path.Combine(folder, manifest.Paths.File);
            var paths = PathsFile.Read(pathsFile).ToList();
            if (paths.Count != manifest.Count)
                throw new InvalidDataException($"{pathsFile} lists {paths.Count} images; {ImageIndexManifest.PathIn(folder)} says {manifest.Count}.");
            string vectorsFile = Path.Combine(folder, manifest.Vectors.File);
            USearchIndex graph;
            try
            {
                graph = new USearchIndex(vectorsFile, view: !writable);
            }
            catch (USearchException e)
            {
                throw new InvalidDataException($"{vectorsFile}: not a readable USearch index ({e.Message}).", e);
            }
            if ((long)graph.Size() != manifest.Count || (int)graph.Dimensions() != manifest.Dimensions)
            {
                var (size, dims) = (graph.Size(), graph.Dimensions());
                graph.Dispose();
                throw new InvalidDataException($"{vectorsFile} holds {size} vectors of {dims} dimensions; " +
                    $"{ImageIndexManifest.PathIn(folder)} says {manifest.Count} of {manifest.Dimensions}.");
            }
            var options = new ImageIndexOptions(manifest.Connectivity, manifest.ExpansionAdd, manifest.ExpansionSearch);
            if (options.ExpansionSearch > 0)
                USearchInternals.SetExpansionSearch(graph, options.ExpansionSearch);
            return new ImageIndex(folder, manifest.Model.ToModel(), options, graph, paths, manifest, writerLock, device);
        }
        catch
        {
            writerLock?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds images by their feature vectors (row-major, <paramref name="paths"/>.Count rows of
    /// <see cref="Dimensions"/>; normalised here). Paths already in the index are left as they are.
    /// Returns how many were added. Not written to disk until <see cref="Save"/>.
    /// </summary>
    public int Add(IReadOnlyList<string> paths, ReadOnlySpan<float> vectors)
    {
        ThrowIfDisposed();
        if (IsReadOnly)
            throw new InvalidOperationException($"{Folder} was opened read-only; open it writable to add images.");
        if (vectors.Length != (long)paths.Count * Dimensions)
            throw new ArgumentException($"{paths.Count} paths need {paths.Count} x {Dimensions} values; got {vectors.Length}.", nameof(vectors));
        var rows = new List<float[]>(paths.Count);
        var fresh = new List<string>(paths.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < paths.Count; i++)
        {
            var row = Normalized(vectors.Slice(i * Dimensions, Dimensions), $"vector {i} ({paths[i]})");
            if (seen.Add(paths[i]))
            {
                rows.Add(row);
                fresh.Add(paths[i]);
            }
        }
        _lock.EnterWriteLock();
        try
        {
            var keep = Enumerable.Range(0, fresh.Count).Where(i => !_known.Contains(fresh[i])).ToList();
            if (keep.Count == 0)
                return 0;
            Insert((ulong)_paths.Count, keep.Select(i => rows[i]).ToArray());
            foreach (int i in keep)
            {
                _paths.Add(fresh[i]);
                _known.Add(fresh[i]);
            }
            _matrix?.Dispose();
            _matrix = null;
            HasUnsavedChanges = true;
            return keep.Count;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Puts rows into the graph under keys <paramref name="first"/>, <paramref name="first"/>+1, ...: capacity grows
    /// by half at a time (not by each call's rows), and many rows go in on all cores.
    /// </summary>
    private void Insert(ulong first, float[][] rows)
    {
        ulong needed = first + (ulong)rows.Length;
        bool reserved = needed <= _graph.Capacity() || USearchInternals.Reserve(_graph, Math.Max(needed, _graph.Capacity() * 3 / 2));
        if (!reserved)
        {
            _graph.Add(rows.Select((_, j) => first + (ulong)j).ToArray(), rows);
            return;
        }
        if (rows.Length < 64 || Environment.ProcessorCount == 1)
            for (int j = 0; j < rows.Length; j++)
                _graph.Add(first + (ulong)j, rows[j]);
        else
            Parallel.For(0, rows.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                j => _graph.Add(first + (ulong)j, rows[j]));
    }

    /// <summary>
    /// Candidates a search explores (HNSW's ef): higher finds more of the true neighbours, more slowly. Starts as
    /// <see cref="ImageIndexOptions.ExpansionSearch"/> (or USearch's default); changing it waits for running searches.
    /// </summary>
    public int ExpansionSearch
    {
        get => USearchInternals.ExpansionSearch(_graph) ?? Options.ExpansionSearch;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _lock.EnterWriteLock();
            try
            {
                if (!USearchInternals.SetExpansionSearch(_graph, value))
                    throw new NotSupportedException("this USearch binding does not expose the search expansion.");
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    /// <summary>Bytes the graph and vectors take in memory (for a read-only index, the mapped file), when USearch reports it.</summary>
    public long? MemoryBytes => USearchInternals.MemoryUsage(_graph);

    /// <summary>Adds one decoded image, embedded with the index's model; false when <paramref name="path"/> is already in the index.</summary>
    public bool Add(string path, DecodedImage image) => Add([path], Embedder.Embed(image)) == 1;

    /// <summary>
    /// Embeds image files with the index's model (decoded in parallel, <paramref name="batchSize"/> at a time) and
    /// adds those not yet in the index. With <paramref name="saveEvery"/> &gt; 0 the index is saved after each
    /// that many images, so a long run that stops keeps what it did (add the same files again to go on: the
    /// saved ones are skipped without being decoded). Returns how many were added; files that do not decode
    /// fail the call, or are skipped under <see cref="BadImagePolicy.Skip"/> and reported to <paramref name="skipped"/>.
    /// </summary>
    public int AddImages(IReadOnlyList<string> files, int batchSize = 64, BadImagePolicy policy = BadImagePolicy.Fail, int saveEvery = 0,
        IProgress<(long Done, long? Total)>? progress = null, Action<string, string>? skipped = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(saveEvery);
        if (IsReadOnly)
            throw new InvalidOperationException($"{Folder} was opened read-only; open it writable to add images.");
        var fresh = files.Distinct(StringComparer.Ordinal).Where(f => !Contains(f)).ToList();
        int added = 0, sinceSave = 0;
        long done = 0;
        progress?.Report((0, fresh.Count));
        foreach (var batch in Embedder.EmbedFiles(fresh, batchSize, policy, skipped, cancel))
        {
            int n = Add(batch.Paths, batch.Vectors);
            added += n;
            sinceSave += n;
            done += batch.Paths.Count;
            if (saveEvery > 0 && sinceSave >= saveEvery)
            {
                Save();
                sinceSave = 0;
            }
            progress?.Report((done, fresh.Count));
        }
        progress?.Report((fresh.Count, fresh.Count));
        return added;
    }

    /// <summary>
    /// The <paramref name="k"/> indexed images most similar to <paramref name="vector"/> (any length-<see cref="Dimensions"/>
    /// feature vector; normalised here), best first, by the HNSW graph: approximate, fast at any size.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> vector, int k)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var query = Normalized(vector, "the query");
        _lock.EnterReadLock();
        try
        {
            if (_paths.Count == 0)
                return [];
            _searchSlots.Wait();
            try
            {
                int found = _graph.Search(query, Math.Min(k, _paths.Count), out var keys, out var distances);
                var hits = new List<SearchHit>(found);
                for (int i = 0; i < found; i++)
                    hits.Add(new SearchHit(_paths[(int)keys[i]], 1f - distances[i]));
                return hits;
            }
            finally
            {
                _searchSlots.Release();
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Like <see cref="Search(ReadOnlySpan{float}, int)"/>, but exact: cosine similarity to every indexed vector by a matrix product.</summary>
    public IReadOnlyList<SearchHit> SearchExact(ReadOnlySpan<float> vector, int k) => SearchExact(vector.ToArray(), 1, k)[0];

    /// <summary>Exact search for <paramref name="count"/> queries at once (row-major in <paramref name="vectors"/>), one list per query.</summary>
    public IReadOnlyList<IReadOnlyList<SearchHit>> SearchExact(float[] vectors, int count, int k)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (vectors.Length != (long)count * Dimensions)
            throw new ArgumentException($"{count} queries need {count} x {Dimensions} values; got {vectors.Length}.", nameof(vectors));
        var queries = new float[vectors.Length];
        for (int q = 0; q < count; q++)
            Normalized(vectors.AsSpan(q * Dimensions, Dimensions), $"query {q}").CopyTo(queries, q * Dimensions);
        _lock.EnterReadLock();
        try
        {
            var matrix = Matrix();
            return ExactSearch.TopK(matrix, queries, Dimensions, k)
                .Select(hits => (IReadOnlyList<SearchHit>)hits.Select(h => new SearchHit(_paths[(int)h.Row], h.Score)).ToList())
                .ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Searches by a decoded image, embedded with the index's model.</summary>
    public IReadOnlyList<SearchHit> Search(DecodedImage image, int k, bool exact = false)
    {
        var vector = Embedder.Embed(image);
        return exact ? SearchExact(vector, k) : Search(vector, k);
    }

    /// <summary>
    /// The index's model, loaded on first use (its weights file checked against the digest the index
    /// recorded), for embedding queries and new images the way the index's images were.
    /// </summary>
    public ImageEmbedder Embedder
    {
        get
        {
            ThrowIfDisposed();
            lock (_lazyLock)
                return _embedder ??= ImageEmbedder.Load(Model, _device);
        }
    }

    /// <summary>
    /// Writes what was added since the last save as a new generation, then makes it current by replacing
    /// index.json atomically, and removes the previous generation's files. A failure leaves the index on disk
    /// as it was. Searches go on while it writes; adds wait.
    /// </summary>
    public void Save()
    {
        ThrowIfDisposed();
        if (IsReadOnly)
            throw new InvalidOperationException($"{Folder} was opened read-only; nothing to save.");
        _lock.EnterUpgradeableReadLock();
        try
        {
            if (!HasUnsavedChanges)
                return;
            long generation = (_committed?.Generation ?? 0) + 1;
            string vectors = Path.Combine(Folder, $"vectors-{generation:D6}.usearch");
            string paths = Path.Combine(Folder, $"paths-{generation:D6}.jsonl");
            string temporary = Path.Combine(Folder, $"{AtomicFile.TemporaryPrefix}vectors-{generation:D6}-{Guid.NewGuid():N}");
            try
            {
                _graph.Save(temporary);
                using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
                    written.Flush(flushToDisk: true);
                File.Move(temporary, vectors, overwrite: true);
            }
            catch (Exception e) when (e is USearchException or IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                throw new IOException($"Could not write {vectors}: {e.Message}", e);
            }
            PathsFile.Write(paths, _paths);
            var manifest = new ImageIndexManifest(ImageIndexManifest.FormatName, ImageIndexManifest.CurrentVersion, generation, _paths.Count,
                Dimensions, Metric, (int)_graph.Connectivity(), Options.ExpansionAdd, Options.ExpansionSearch, IndexedModelEntry.From(Model),
                IndexFile.Of(vectors), IndexFile.Of(paths));
            manifest.Write(Folder);
            _lock.EnterWriteLock();
            try
            {
                _committed = manifest;
                HasUnsavedChanges = false;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
            RemoveStaleFiles(manifest);
        }
        finally
        {
            _lock.ExitUpgradeableReadLock();
        }
    }

    /// <summary>Releases the graph (unmapping a read-only one), the model and the writer lock; unsaved additions are lost.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _lock.EnterWriteLock();
        try
        {
            _disposed = true;
            _graph.Dispose();
            _matrix?.Dispose();
            if (_ownsEmbedder)
                _embedder?.Dispose();
            _writerLock?.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private Tensor Matrix()
    {
        lock (_lazyLock)
        {
            if (_matrix is not null)
                return _matrix;
            var matrix = empty(_paths.Count, Dimensions, ScalarType.Float32);
            const int chunk = 4096;
            var rows = new float[chunk * Dimensions];
            for (int start = 0; start < _paths.Count; start += chunk)
            {
                int n = Math.Min(chunk, _paths.Count - start);
                for (int row = 0; row < n; row++)
                {
                    if (_graph.Get((ulong)(start + row), out float[] vector) < 1)
                        throw new InvalidDataException($"{Folder}: row {start + row} has no vector in the graph: the index is damaged.");
                    vector.CopyTo(rows, row * Dimensions);
                }
                using var block = tensor(rows.AsSpan(0, n * Dimensions).ToArray(), [n, Dimensions]);
                using var target = matrix.narrow(0, start, n);
                target.copy_(block);
            }
            return _matrix = matrix;
        }
    }

    private float[] Normalized(ReadOnlySpan<float> vector, string what)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"{what} has {vector.Length} values; the index's vectors have {Dimensions}.");
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

    private static USearchIndex NewGraph(int dimensions, ImageIndexOptions options) =>
        new(MetricKind.Ip, ScalarKind.Float32, (ulong)dimensions, (ulong)options.Connectivity, (ulong)options.ExpansionAdd);

    private static FileStream TakeWriterLock(string folder)
    {
        string path = Path.Combine(folder, LockFile);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"{folder} is being changed by another process ({path} is locked); wait for it to finish.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{folder} cannot be changed: {e.Message}", e);
        }
    }

    private void RemoveStaleFiles(ImageIndexManifest current)
    {
        foreach (string file in Directory.EnumerateFiles(Folder))
        {
            string name = Path.GetFileName(file);
            bool data = name.StartsWith("vectors-", StringComparison.Ordinal) || name.StartsWith("paths-", StringComparison.Ordinal)
                || name.StartsWith(AtomicFile.TemporaryPrefix, StringComparison.Ordinal);
            if (data && name != current.Vectors.File && name != current.Paths.File)
                TryDelete(file);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
