using ResNetSharp.Imaging;
using ResNetSharp.Inference;

namespace ResNetSharp.Tests.Inference;

/// <summary>
/// <see cref="BatchingPredictor"/> against a model that records its batches and can be held at a gate,
/// so every assertion follows from the order of events, never from timing.
/// </summary>
public class BatchingPredictorTests
{
    private static async Task WaitForQueue(BatchingPredictor predictor, int depth)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (predictor.QueueDepth != depth)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), $"the queue never held {depth} images");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task ConcurrentCallersEachGetTheirOwnAnswerInBatchesNoLargerThanTheMaximum()
    {
        using var model = new GatedModel();
        var reports = new List<BatchReport>();
        using (var predictor = new BatchingPredictor(model, new BatchingOptions(MaxBatchSize: 5, MaxWaitMilliseconds: 1, MaxQueue: 1000), r => { lock (reports) reports.Add(r); }))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
            {
                for (int call = 0; call < 50; call++)
                {
                    float id = caller * 1000 + call;
                    var prediction = await predictor.PredictAsync(GatedModel.Input(id));
                    Assert.Equal(id + 6, prediction.Outputs["sum"][0]);
                    Assert.Equal(GatedModel.Input(id), prediction.Embedding);
                }
                return true;
            })));
            Assert.All(results, Assert.True);
        }
        Assert.Equal(400, model.BatchSizes.Sum());
        Assert.All(model.BatchSizes, size => Assert.InRange(size, 1, 5));
        Assert.Equal(model.BatchSizes.Count, reports.Count);
        Assert.Equal(400, reports.Sum(r => r.Size));
    }

    [Fact]
    public async Task ImagesQueuedWhileTheModelRunsGoTogetherInTheNextBatch()
    {
        using var model = new GatedModel(open: false);
        using var predictor = new BatchingPredictor(model, new BatchingOptions(MaxBatchSize: 8, MaxWaitMilliseconds: 0));
        var first = predictor.PredictAsync(GatedModel.Input(0));
        model.WaitUntilEntered();
        var next = Enumerable.Range(1, 5).Select(i => predictor.PredictAsync(GatedModel.Input(i))).ToList();
        await WaitForQueue(predictor, 5);
        model.Open();
        await first;
        var answers = await Task.WhenAll(next);
        Assert.Equal([1, 5], model.BatchSizes);
        Assert.All(answers, a => Assert.Equal(5, a.Outputs["sum"][1]));
    }

    [Fact]
    public async Task AFullQueueRefusesAtOnceAndDisposingAnswersEverythingQueued()
    {
        using var model = new GatedModel(open: false);
        var predictor = new BatchingPredictor(model, new BatchingOptions(MaxBatchSize: 2, MaxWaitMilliseconds: 0, MaxQueue: 3));
        var running = predictor.PredictAsync(GatedModel.Input(0));
        model.WaitUntilEntered();
        var queued = Enumerable.Range(1, 3).Select(i => predictor.PredictAsync(GatedModel.Input(i))).ToList();
        var refused = Assert.Throws<PredictorQueueFullException>(() => { _ = predictor.PredictAsync(GatedModel.Input(9)); });
        Assert.Equal(3, refused.MaxQueue);
        Assert.Contains("MaxQueue", refused.Message);
        Assert.Throws<PredictorQueueFullException>(() => { _ = predictor.PredictAsync(new DecodedImage(new byte[12], 2, 2)); });

        var disposing = Task.Run(predictor.Dispose);
        model.Open();
        await disposing;
        Assert.Equal([0, 1, 2, 3], (await Task.WhenAll([running, .. queued])).Select(p => p.Outputs["embedding"][0]));
        Assert.Equal([1, 2, 1], model.BatchSizes);
        Assert.Throws<ObjectDisposedException>(() => { _ = predictor.PredictAsync(GatedModel.Input(4)); });
    }

    [Fact]
    public async Task ACancelledCallLeavesItsBatchAndAFailedBatchFailsOnlyItsOwnCallers()
    {
        using var model = new GatedModel(open: false) { FailOn = 7 };
        using var predictor = new BatchingPredictor(model, new BatchingOptions(MaxBatchSize: 4, MaxWaitMilliseconds: 0));
        var first = predictor.PredictAsync(GatedModel.Input(0));
        model.WaitUntilEntered();
        using var cancel = new CancellationTokenSource();
        var cancelled = predictor.PredictAsync(GatedModel.Input(1), cancel.Token);
        var kept = predictor.PredictAsync(GatedModel.Input(2));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        model.Open();
        await first;
        Assert.Equal(2, (await kept).Outputs["embedding"][0]);
        Assert.Equal([1, 1], model.BatchSizes);

        var failing = await Assert.ThrowsAsync<InvalidOperationException>(() => predictor.PredictAsync(GatedModel.Input(7)));
        Assert.Contains("on purpose", failing.Message);
        Assert.Equal(3, (await predictor.PredictAsync(GatedModel.Input(3))).Outputs["embedding"][0]);
    }

    [Fact]
    public async Task StoppingTheHoldSendsAWaitingBatchAtOnce()
    {
        using var model = new GatedModel();
        using var predictor = new BatchingPredictor(model, new BatchingOptions(MaxBatchSize: 2, MaxWaitMilliseconds: 60_000));
        var held = predictor.PredictAsync(GatedModel.Input(5));
        await WaitForQueue(predictor, 1);
        Assert.False(held.IsCompleted);
        predictor.StopHoldingBatches();
        await held.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal([1], model.BatchSizes);
    }

    [Fact]
    public void OptionsAndInputsOutOfRangeAreRefusedByName()
    {
        using var model = new GatedModel();
        foreach (var (options, property) in new[]
        {
            (new BatchingOptions(MaxBatchSize: 0), "MaxBatchSize"),
            (new BatchingOptions(MaxWaitMilliseconds: -1), "MaxWaitMilliseconds"),
            (new BatchingOptions(MaxQueue: 0), "MaxQueue"),
        })
            Assert.Contains($"BatchingOptions.{property}", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingPredictor(model, options)).Message);
        using var predictor = new BatchingPredictor(model, new BatchingOptions());
        Assert.Contains("has 4 values (1x2x2)", Assert.Throws<ArgumentException>(() => { _ = predictor.PredictAsync(new float[5]); }).Message);
    }
}
