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
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var metrics = new ClassificationMetrics(data.ClassNames.Count, input.Device);
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long end = Math.Min(start + batchSize, data.Count);
                var x = input.Prepare(data.Images.narrow(0, start, end - start), AugmentationOptions.None, null);
                var logits = model.call(x).to(ScalarType.Float32);
                if (flipTestTimeAugmentation)
                    logits = (logits + model.call(x.flip(3)).to(ScalarType.Float32)).div_(2);
                metrics.Add(logits, data.Labels.narrow(0, start, end - start).to(logits.device));
            }
            return metrics.Result(data.ClassNames);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
