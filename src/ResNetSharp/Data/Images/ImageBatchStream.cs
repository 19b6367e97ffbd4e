using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Images;

/// <summary>One preprocessed batch: uint8 pixels (N, 3, H, W) on the CPU and the files they came from.</summary>
/// <param name="Pixels">Owned by the receiver.</param>
/// <param name="Paths">Source files, in row order.</param>
/// <param name="Indices">Positions of the rows in the input list.</param>
public sealed record ImageBatch(Tensor Pixels, IReadOnlyList<string> Paths, IReadOnlyList<int> Indices);

/// <summary>
/// Decodes and transforms image files in parallel into batches, a bounded number of batches ahead of
/// the consumer, so that decoding overlaps compute. Order is preserved. Bad files fail or are skipped
/// (<see cref="Skipped"/> lists them) according to the policy.
/// </summary>
/// <param name="paths">The files, in batch order.</param>
/// <param name="transform">Decoded image (and its position in <paramref name="paths"/>) to the pixels of one batch row; all rows must have one shape.</param>
/// <param name="batchSize">Files per batch (the last batch may be smaller).</param>
/// <param name="policy">Fail on the first bad file, or skip bad files.</param>
/// <param name="workers">Decoding threads (0: one per core).</param>
/// <param name="prefetchBatches">Batches prepared ahead of the consumer.</param>
/// <param name="maxPixels">Images declaring more pixels are refused before decoding.</param>
/// <param name="pinMemory">Put each batch in page-locked memory, so its copy to a GPU can overlap compute.</param>
public sealed class ImageBatchStream(IReadOnlyList<string> paths, Func<int, DecodedImage, PixelPlanes> transform, int batchSize,
    BadImagePolicy policy = BadImagePolicy.Fail, int workers = 0, int prefetchBatches = 2, long maxPixels = ImageDecoder.DefaultMaxPixels,
    bool pinMemory = false)
{
    /// <summary>Batches of <paramref name="paths"/> with evaluation preprocessing (resize, centre crop).</summary>
    public ImageBatchStream(IReadOnlyList<string> paths, ImagePreprocessing preprocessing, int batchSize,
        BadImagePolicy policy = BadImagePolicy.Fail, int workers = 0, int prefetchBatches = 2, long maxPixels = ImageDecoder.DefaultMaxPixels)
        : this(paths, (_, image) => preprocessing.ResizeAndCrop(image), batchSize, policy, workers, prefetchBatches, maxPixels)
    {
    }

    private readonly List<(string Path, string Problem)> _skipped = [];

    /// <summary>Files left out under <see cref="BadImagePolicy.Skip"/>, with the reason.</summary>
    public IReadOnlyList<(string Path, string Problem)> Skipped => _skipped;

    /// <summary>The batches, in input order. Dispose each batch's pixels when done.</summary>
    public IEnumerable<ImageBatch> Batches(CancellationToken cancel = default)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be 1 or more; got {batchSize}.");
        var channel = Channel.CreateBounded<Task<ImageBatch?>>(Math.Max(1, prefetchBatches));
        int parallelism = workers > 0 ? workers : Environment.ProcessorCount;
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int start = 0; start < paths.Count; start += batchSize)
                {
                    int first = start, count = Math.Min(batchSize, paths.Count - start);
                    await channel.Writer.WriteAsync(Task.Run(() => Build(first, count, parallelism, cancel)), cancel);
                }
            }
            finally
            {
                channel.Writer.Complete();
            }
        }, cancel);

        foreach (var pending in channel.Reader.ReadAllAsync(cancel).ToBlockingEnumerable(cancel))
        {
            var batch = pending.GetAwaiter().GetResult();
            if (batch is not null)
                yield return batch;
        }
        producer.GetAwaiter().GetResult();
    }

    /// <summary>
    /// The batches as (uint8 pixels, int64 labels) on <paramref name="device"/>, the label of each row
    /// given by its position in the input list. Abandoning the enumeration stops the decoding workers;
    /// skipped files, if any, go to <paramref name="reportSkipped"/> when it ends either way. The caller
    /// disposes each batch's tensors.
    /// </summary>
    /// <param name="labelOf">Label of the file at a position in the input list.</param>
    /// <param name="device">Where the tensors go.</param>
    /// <param name="nonBlocking">Copy without waiting (from page-locked memory, see the constructor's pinMemory).</param>
    /// <param name="reportSkipped">Hears of the files skipped as unreadable.</param>
    public IEnumerable<(Tensor Images, Tensor Labels)> LabelledBatches(Func<int, long> labelOf, Device device, bool nonBlocking = false,
        Action<IReadOnlyList<(string Path, string Problem)>>? reportSkipped = null)
    {
        using var stop = new CancellationTokenSource();
        try
        {
            foreach (var batch in Batches(stop.Token))
            {
                using var pixels = batch.Pixels;
                using var labels = tensor(batch.Indices.Select(labelOf).ToArray());
                yield return (pixels.to(device, non_blocking: nonBlocking), labels.to(device, non_blocking: nonBlocking));
            }
        }
        finally
        {
            stop.Cancel();
            if (Skipped.Count > 0)
                reportSkipped?.Invoke(Skipped);
        }
    }

    private ImageBatch? Build(int first, int count, int parallelism, CancellationToken cancel)
    {
        var pixels = new Tensor?[count];
        var problems = new string?[count];
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancel }, i =>
            {
                try
                {
                    pixels[i] = transform(first + i, ImageDecoder.Decode(paths[first + i], maxPixels)).ToTensor();
                }
                catch (ImageDecodeException e) when (policy == BadImagePolicy.Skip)
                {
                    problems[i] = e.Message;
                }
            });
        }
        catch (AggregateException e)
        {
            foreach (var tensor in pixels)
                tensor?.Dispose();
            // The first failing file in input order, not whichever worker lost the race.
            ExceptionDispatchInfo.Capture(e.InnerExceptions.OrderBy(x => x is ImageDecodeException d ? paths.ToList().IndexOf(d.Path) : int.MaxValue).First()).Throw();
        }
        var kept = Enumerable.Range(0, count).Where(i => pixels[i] is not null).ToList();
        lock (_skipped)
            _skipped.AddRange(Enumerable.Range(0, count).Where(i => problems[i] is not null).Select(i => (paths[first + i], problems[i]!)));
        if (kept.Count == 0)
            return null;
        var batch = stack(kept.Select(i => pixels[i]!).ToArray());
        foreach (var tensor in pixels)
            tensor?.Dispose();
        if (pinMemory)
        {
            using var pageable = batch;
            batch = pageable.pin_memory();
        }
        return new ImageBatch(batch, kept.Select(i => paths[first + i]).ToList(), kept.Select(i => first + i).ToList());
    }
}
