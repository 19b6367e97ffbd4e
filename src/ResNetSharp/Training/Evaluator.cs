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
        bool flipTestTimeAugmentation = false)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var metrics = new ClassificationMetrics(data.ClassNames.Count, input.Device);
            foreach (var (images, labels) in data.Batches(batchSize))
            {
                using var scope = NewDisposeScope();
                using var batchImages = images;
                using var batchLabels = labels;
                var x = input.Prepare(images, AugmentationOptions.None, null);
                var logits = model.call(x).to(ScalarType.Float32);
                if (flipTestTimeAugmentation)
                    logits = (logits + model.call(x.flip(3)).to(ScalarType.Float32)).div_(2);
                metrics.Add(logits, labels.to(logits.device));
            }
            return metrics.Result(data.ClassNames);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
