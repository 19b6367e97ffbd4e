using Prometheus;
using ResNetSharp.Inference;

namespace ResNetSharp.Serving;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own (so several servers can share a process):
/// batch sizes, model-call and queue-wait times, queue depth, images and refused requests. Request
/// counts and latencies come from prometheus-net's HTTP middleware in the same registry.
/// </summary>
public sealed class ServingMetrics
{
    private readonly Histogram _batchSize;
    private readonly Histogram _batchSeconds;
    private readonly Histogram _queueWaitSeconds;
    private readonly Counter _images;
    private readonly Counter _refused;

    /// <summary>Creates the metrics; the queue depth gauge reads <paramref name="queueDepth"/> at each scrape.</summary>
    public ServingMetrics(int maxBatchSize, Func<int> queueDepth)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _batchSize = factory.CreateHistogram("resnet_batch_size", "Images per model call.",
            new HistogramConfiguration { Buckets = BatchBuckets(maxBatchSize) });
        _batchSeconds = factory.CreateHistogram("resnet_batch_duration_seconds", "Time of one model call.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        _queueWaitSeconds = factory.CreateHistogram("resnet_queue_wait_seconds", "Time the oldest image of a batch waited in the queue.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        _images = factory.CreateCounter("resnet_images_total", "Images run through the model.");
        _refused = factory.CreateCounter("resnet_requests_refused_total", "Requests answered with an error before reaching the model, by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
        var depth = factory.CreateGauge("resnet_queue_depth", "Images waiting for a batch.");
        Registry.AddBeforeCollectCallback(() => depth.Set(queueDepth()));
    }

    /// <summary>The registry that GET /metrics writes.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Records one model call (the predictor's batch callback).</summary>
    public void Observe(BatchReport report)
    {
        _batchSize.Observe(report.Size);
        _batchSeconds.Observe(report.Run.TotalSeconds);
        _queueWaitSeconds.Observe(report.OldestWait.TotalSeconds);
        _images.Inc(report.Size);
    }

    /// <summary>Counts a refused request: "bad_request", "too_large", "unsupported_type", "queue_full", "not_found", "wrong_method", "error".</summary>
    public void Refused(string reason) => _refused.WithLabels(reason).Inc();

    private static double[] BatchBuckets(int maxBatchSize)
    {
        var buckets = new SortedSet<double> { maxBatchSize };
        for (int size = 1; size < maxBatchSize; size *= 2)
            buckets.Add(size);
        return [.. buckets];
    }
}
