using ResNetSharp.Imaging;
using ResNetSharp.Inference;

namespace ResNetSharp.Tests.Inference;

/// <summary>
/// An <see cref="IImageModel"/> written as a user would: 1-channel 2x2 inputs; output "sum" (the
/// image's values summed, and the batch size) and "embedding" (the values). Records every batch size and
/// can hold calls at a gate until the test opens it.
/// </summary>
internal sealed class GatedModel : IImageModel
{
    private readonly ManualResetEventSlim _gate;
    private readonly SemaphoreSlim _entered = new(0);

    public GatedModel(bool open = true) => _gate = new ManualResetEventSlim(open);

    public ImageModelInfo Info { get; } = new("gated", "test", 1, ImagePreprocessing.ForCrop(2) with { Grayscale = true },
        [new ModelOutput("sum", OutputKind.Classification, 2, ["total", "batch"]), new ModelOutput("embedding", OutputKind.Embedding, 4)]);

    public List<int> BatchSizes { get; } = [];

    /// <summary>Throws from Predict for any batch holding an image whose first value is this.</summary>
    public float? FailOn { get; set; }

    public void Open() => _gate.Set();

    /// <summary>Waits until a call has reached the gate.</summary>
    public void WaitUntilEntered() => Assert.True(_entered.Wait(TimeSpan.FromMinutes(1)), "the model was never called");

    public IReadOnlyList<Prediction> Predict(ImageBatch batch)
    {
        _entered.Release();
        Assert.True(_gate.Wait(TimeSpan.FromMinutes(1)), "the test never opened the gate");
        lock (BatchSizes)
            BatchSizes.Add(batch.Count);
        var predictions = new List<Prediction>();
        for (int i = 0; i < batch.Count; i++)
        {
            var values = batch.Values.AsSpan(i * 4, 4).ToArray();
            if (values[0] == FailOn)
                throw new InvalidOperationException("the model failed on purpose");
            predictions.Add(new Prediction(new Dictionary<string, float[]> { ["sum"] = [values.Sum(), batch.Count], ["embedding"] = values }, Info));
        }
        return predictions;
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>A prepared input whose values identify it.</summary>
    public static float[] Input(float id) => [id, 1, 2, 3];
}
