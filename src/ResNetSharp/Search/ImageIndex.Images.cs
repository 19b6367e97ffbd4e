using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;

namespace ResNetSharp.Search;

/// <summary>The image side of <see cref="ImageIndex"/>: embedding with the index's own model, then adding or searching.</summary>
public sealed partial class ImageIndex
{
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
}
