using ResNetSharp.Data;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Evaluates a classifier in eval mode under no-grad, restoring each submodule's mode after (see <see cref="EvalMode"/>).</summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="data"/> through <paramref name="model"/> in batches and accumulates metrics.
    /// With <paramref name="flipTestTimeAugmentation"/>, logits are averaged with those of the mirrored image
    /// (each forward pass then holds twice <paramref name="batchSize"/> images).
    /// </summary>
    public static EvaluationResult Evaluate(ResNet model, ImageDataset data, int batchSize, InputAdapter input,
        bool flipTestTimeAugmentation = false)
    {
        var view = new InMemoryEvaluationData(data); // not disposed: the caller owns data
        return Evaluate(model, view, batchSize, input, flipTestTimeAugmentation);
    }

    /// <summary>
    /// The evaluation batch of a training run: at least its training batch and 256 images; on a GPU, as many
    /// images as make about a million pixels per forward pass (1,024 at 32x32; half that with flip TTA),
    /// because small batches of small images leave the GPU waiting for the host to launch kernels.
    /// </summary>
    public static int BatchSizeFor(int trainingBatch, int height, int width, Device device, bool flipTestTimeAugmentation)
    {
        int batch = Math.Max(trainingBatch, 256);
        if (device.type != DeviceType.CUDA)
            return batch;
        long pixelsPerImage = (long)height * width * (flipTestTimeAugmentation ? 2 : 1);
        return (int)Math.Max(batch, Math.Min(MillionPixels / pixelsPerImage, 8192));
    }

    private const long MillionPixels = 1 << 20;

    /// <summary>Evaluates on batches from <paramref name="data"/>, in memory or streamed.</summary>
    public static EvaluationResult Evaluate(ResNet model, EvaluationData data, int batchSize, InputAdapter input,
        bool flipTestTimeAugmentation = false) =>
        Evaluate([model], data, batchSize, input, flipTestTimeAugmentation)[0];

    /// <summary>
    /// Evaluates several models (e.g. a network and its weight average) in one pass over <paramref name="data"/>,
    /// so a streamed test set is decoded once; one result per model, in order.
    /// </summary>
    public static IReadOnlyList<EvaluationResult> Evaluate(IReadOnlyList<ResNet> models, EvaluationData data, int batchSize,
        InputAdapter input, bool flipTestTimeAugmentation = false)
    {
        var modes = models.Select(EvalMode.Enter).ToList();
        var metrics = models.Select(_ => new ClassificationMetrics(data.ClassNames.Count, input.Device)).ToList();
        try
        {
            using var _ = no_grad();
            foreach (var (images, labels) in data.Batches(batchSize))
            {
                using var scope = NewDisposeScope();
                using var batchImages = images;
                using var batchLabels = labels;
                long count = images.shape[0];
                // The mirrored images ride in the same forward pass (half the kernel launches of two passes);
                // they are made on the model's device, so a streamed batch crosses to a GPU once.
                var onModelDevice = images.to(input.Device);
                var x = input.Prepare(flipTestTimeAugmentation ? cat([onModelDevice, onModelDevice.flip(3)]) : onModelDevice,
                    AugmentationOptions.None, null);
                var onDevice = labels.to(input.Device);
                for (int m = 0; m < models.Count; m++)
                {
                    var logits = models[m].call(x).to(ScalarType.Float32);
                    if (flipTestTimeAugmentation)
                        logits = logits.narrow(0, 0, count).add(logits.narrow(0, count, count)).div_(2);
                    metrics[m].Add(logits, onDevice);
                }
            }
            return metrics.Select(m => m.Result(data.ClassNames)).ToList();
        }
        finally
        {
            foreach (var m in metrics)
                m.Dispose();
            foreach (var mode in modes)
                mode.Dispose();
        }
    }
}
