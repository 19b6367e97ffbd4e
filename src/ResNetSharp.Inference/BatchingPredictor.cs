using System.Diagnostics;
using ResNetSharp.Imaging;

namespace ResNetSharp.Inference;

/// <summary>
/// Predictions for many concurrent callers from one model, in dynamic batches: each call prepares its
/// image on its own thread and queues it; one worker thread takes up to
/// <see cref="BatchingOptions.MaxBatchSize"/> queued images per model call, waiting at most
/// <see cref="BatchingOptions.MaxWaitMilliseconds"/> after the oldest for others to join. The queue is
/// bounded (<see cref="BatchingOptions.MaxQueue"/>): a call beyond it fails at once with
/// <see cref="PredictorQueueFullException"/> rather than waiting. Disposing lets every queued image
/// finish first. The model is not disposed with the predictor.
/// </summary>
public sealed class BatchingPredictor : IDisposable
{
    private sealed record Pending(float[] Input, TaskCompletionSource<Prediction> Result, long QueuedAt, CancellationToken Cancellation);

    private readonly IImageModel _model;
    private readonly Action<BatchReport>? _onBatch;
    private readonly Queue<Pending> _queue = new();
    private readonly object _gate = new();
    private readonly Thread _worker;
    private bool _closed;
    private bool _hurried;

    /// <summary>Starts the worker; <paramref name="onBatch"/>, if given, hears of every model call (on the worker thread).</summary>
    public BatchingPredictor(IImageModel model, BatchingOptions options, Action<BatchReport>? onBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        _model = model;
        Options = options;
        _onBatch = onBatch;
        _worker = new Thread(Work) { IsBackground = true, Name = "BatchingPredictor" };
        _worker.Start();
    }

    /// <summary>The model's channels, preprocessing and outputs.</summary>
    public ImageModelInfo Info => _model.Info;

    /// <summary>Batch size, wait and queue bound.</summary>
    public BatchingOptions Options { get; }

    /// <summary>Images waiting for a batch now.</summary>
    public int QueueDepth
    {
        get
        {
            lock (_gate)
                return _queue.Count;
        }
    }

    /// <summary>
    /// Prepares <paramref name="image"/> (resize, crop, normalise, on the calling thread) and predicts it
    /// in the next batch. Throws <see cref="PredictorQueueFullException"/> when the queue is full, and
    /// <see cref="ObjectDisposedException"/> once the predictor is shutting down.
    /// </summary>
    public Task<Prediction> PredictAsync(DecodedImage image, CancellationToken cancellation = default)
    {
        ThrowIfRefused();
        return PredictAsync(Info.Preprocessing.Prepare(image, Info.InChannels), cancellation);
    }

    /// <summary>Predicts one prepared image of <see cref="ImageModelInfo.InputLength"/> values (channels x crop x crop) in the next batch.</summary>
    public Task<Prediction> PredictAsync(float[] input, CancellationToken cancellation = default)
    {
        if (input.Length != Info.InputLength)
            throw new ArgumentException($"a prepared image has {Info.InputLength} values ({Info.InChannels}x{Info.Preprocessing.CropTo}x{Info.Preprocessing.CropTo}); got {input.Length}.", nameof(input));
        var result = new TaskCompletionSource<Prediction>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfRefused();
            _queue.Enqueue(new Pending(input, result, Stopwatch.GetTimestamp(), cancellation));
            Monitor.Pulse(_gate);
        }
        if (cancellation.CanBeCanceled)
        {
            var registration = cancellation.Register(() => result.TrySetCanceled(cancellation));
            result.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return result.Task;
    }

    /// <summary>
    /// From now on a batch no longer waits <see cref="BatchingOptions.MaxWaitMilliseconds"/> for more
    /// images: a server calls this when it starts draining, so the images in flight are not held back.
    /// </summary>
    public void StopHoldingBatches()
    {
        lock (_gate)
        {
            _hurried = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Refuses new calls, lets every queued image finish, and stops the worker.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
        _worker.Join();
    }

    private void ThrowIfRefused()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_queue.Count >= Options.MaxQueue)
                throw new PredictorQueueFullException(Options.MaxQueue);
        }
    }

    private void Work()
    {
        var batch = new List<Pending>(Options.MaxBatchSize);
        while (TakeBatch(batch, out int depth))
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                var inputs = batch.Select(p => p.Input).ToList();
                int size = Info.Preprocessing.CropTo;
                var predictions = _model.Predict(ImageBatch.Stack(inputs, Info.InChannels, size, size));
                for (int i = 0; i < batch.Count; i++)
                    batch[i].Result.TrySetResult(predictions[i]);
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                    pending.Result.TrySetException(e);
            }
            try
            {
                _onBatch?.Invoke(new BatchReport(batch.Count, Stopwatch.GetElapsedTime(batch[0].QueuedAt, started), Stopwatch.GetElapsedTime(started), depth));
            }
            catch (Exception)
            {
                // A failing metrics callback must not stop the worker every caller depends on.
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// Waits for a full batch or the oldest image's deadline, then moves up to a batch of live images
    /// from the queue into <paramref name="batch"/> (they count as queued until then); false once closed and empty.
    /// </summary>
    private bool TakeBatch(List<Pending> batch, out int depth)
    {
        long maxWait = (long)(Options.MaxWaitMilliseconds * (Stopwatch.Frequency / 1000.0));
        lock (_gate)
        {
            while (true)
            {
                while (_queue.Count == 0)
                {
                    if (_closed)
                    {
                        depth = 0;
                        return false;
                    }
                    Monitor.Wait(_gate);
                }
                long deadline = _queue.Peek().QueuedAt + maxWait;
                while (_queue.Count < Options.MaxBatchSize && !_closed && !_hurried)
                {
                    var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                    if (remaining <= TimeSpan.Zero)
                        break;
                    Monitor.Wait(_gate, remaining);
                }
                while (batch.Count < Options.MaxBatchSize && _queue.TryDequeue(out var next))
                    if (!next.Result.Task.IsCompleted)
                        batch.Add(next);
                if (batch.Count > 0)
                {
                    depth = _queue.Count;
                    return true;
                }
            }
        }
    }
}
