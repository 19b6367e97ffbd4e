using ResNetSharp.Data;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Evaluates a classifier in eval mode under no-grad, restoring the mode it was in.</summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="data"/> through <paramref name="model"/> in batches and accumulates metrics.
    /// With <paramref name="flipTestTimeAugmentation"/>, logits are averaged with those of the mirrored image.
    /// </summary>
    public static EvaluationResult Evaluate(ResNet model, ImageDataset data, int batchSize, InputAdapter input,
        bool flipTestTimeAugmentation = false)
    {
        var view = new InMemoryEvaluationData(data); // not disposed: the caller owns data
        return Evaluate(model, view, batchSize, input, flipTestTimeAugmentation);
    }

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
        var wasTraining = models.Select(m => m.training).ToList();
        foreach (var model in models)
            model.eval();
        var metrics = models.Select(_ => new ClassificationMetrics(data.ClassNames.Count, input.Device)).ToList();
        try
        {
            using var _ = no_grad();
            foreach (var (images, labels) in data.Batches(batchSize))
            {
                using var scope = NewDisposeScope();
                using var batchImages = images;
                using var batchLabels = labels;
                var x = input.Prepare(images, AugmentationOptions.None, null);
                for (int m = 0; m < models.Count; m++)
                {
                    var logits = models[m].call(x).to(ScalarType.Float32);
                    if (flipTestTimeAugmentation)
                        logits = (logits + models[m].call(x.flip(3)).to(ScalarType.Float32)).div_(2);
                    metrics[m].Add(logits, labels.to(logits.device));
                }
            }
            return metrics.Select(m => m.Result(data.ClassNames)).ToList();
        }
        finally
        {
            foreach (var m in metrics)
                m.Dispose();
            for (int m = 0; m < models.Count; m++)
                models[m].train(wasTraining[m]);
        }
    }
}
