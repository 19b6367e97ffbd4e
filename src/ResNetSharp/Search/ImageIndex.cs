using Cloud.Unum.USearch;
using ResNetSharp.Common;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Search;

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
public sealed partial class ImageIndex : IDisposable
{
    /// <summary>The only metric: cosine similarity, as the inner product of unit vectors.</summary>
    public const string Metric = "cosine";

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
    private bool _createdFolder;

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

    /// <summary>Images in the index as last saved (0 before the first save): what a reader opening the folder now sees.</summary>
    public long SavedCount => _committed?.Count ?? 0;

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
    /// refused), open for adding. Nothing is written until <see cref="Save"/>; disposed unsaved, it leaves nothing.
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
        bool existed = Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        var writerLock = IndexFolder.TakeWriterLock(folder);
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
                _createdFolder = !existed,
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
        var writerLock = writable ? IndexFolder.TakeWriterLock(folder) : null;
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
            var row = UnitVector.Of(vectors.Slice(i * Dimensions, Dimensions), Dimensions, $"vector {i} ({paths[i]})");
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

    /// <summary>
    /// The <paramref name="k"/> indexed images most similar to <paramref name="vector"/> (any length-<see cref="Dimensions"/>
    /// feature vector; normalised here), best first, by the HNSW graph: approximate, fast at any size.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> vector, int k)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var query = UnitVector.Of(vector, Dimensions, "the query");
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
                    hits.Add(new SearchHit(_paths[(int)keys[i]], 1f - distances[i]) { Row = (long)keys[i] });
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
            UnitVector.Of(vectors.AsSpan(q * Dimensions, Dimensions), Dimensions, $"query {q}").CopyTo(queries, q * Dimensions);
        _lock.EnterReadLock();
        try
        {
            Tensor matrix;
            lock (_lazyLock)
                matrix = _matrix ??= ExactSearch.Matrix(_graph, _paths.Count, Dimensions, Folder);
            return ExactSearch.TopK(matrix, queries, Dimensions, k)
                .Select(hits => (IReadOnlyList<SearchHit>)hits.Select(h => new SearchHit(_paths[(int)h.Row], h.Score) { Row = h.Row }).ToList())
                .ToList();
        }
        finally
        {
            _lock.ExitReadLock();
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
            var (vectors, paths) = IndexFolder.WriteGeneration(Folder, generation, _graph, _paths);
            var manifest = new ImageIndexManifest(ImageIndexManifest.FormatName, ImageIndexManifest.CurrentVersion, generation, _paths.Count,
                Dimensions, Metric, (int)_graph.Connectivity(), Options.ExpansionAdd, Options.ExpansionSearch, IndexedModelEntry.From(Model),
                vectors, paths);
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
            IndexFolder.RemoveStaleFiles(Folder, manifest);
        }
        finally
        {
            _lock.ExitUpgradeableReadLock();
        }
    }

    /// <summary>
    /// Releases the graph (unmapping a read-only one), the model and the writer lock; unsaved additions are lost,
    /// and a created index that was never saved leaves nothing behind (not even the folder, if it made it).
    /// </summary>
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
            if (_writerLock is not null && _committed is null)
                IndexFolder.RemoveUnsaved(Folder, _createdFolder);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private static USearchIndex NewGraph(int dimensions, ImageIndexOptions options) =>
        new(MetricKind.Ip, ScalarKind.Float32, (ulong)dimensions, (ulong)options.Connectivity, (ulong)options.ExpansionAdd);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
