using ResNetSharp.Data;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>Evaluates networks in eval mode under no-grad, head by head, restoring each submodule's mode after (see <see cref="EvalMode"/>).</summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="data"/> through a classifier in batches and accumulates its metrics. With
    /// <paramref name="flipTestTimeAugmentation"/>, logits are averaged with those of the mirrored image
    /// (each forward pass then holds twice <paramref name="batchSize"/> images).
    /// </summary>
    public static EvaluationResult Evaluate(ResNet model, ImageDataset data, int batchSize, InputAdapter input,
        bool flipTestTimeAugmentation = false)
    {
        using var set = InMemoryImageSet.From(data);
        var head = new ClassificationHead("fc", data.ClassNames) { Column = InMemoryImageSet.ClassColumn };
        var result = Run([(model, x => new Dictionary<string, Tensor> { ["fc"] = model.call(x) })], [head], set, batchSize, input,
            flipTestTimeAugmentation, CancellationToken.None);
        return (EvaluationResult)result[0].Heads["fc"];
    }

    /// <summary>
    /// The evaluation batch of a training run. On a CPU, its training batch: libtorch's CPU convolutions without
    /// oneDNN materialise im2col buffers, so larger batches are slower per image (bench/RESULTS.md). On a GPU, at
    /// least the training batch and 256 images, or as many as make about a million pixels per forward pass (1,024
    /// at 32x32; half that with flip TTA), because small batches of small images leave the GPU waiting for the host.
    /// </summary>
    public static int BatchSizeFor(int trainingBatch, int height, int width, Device device, bool flipTestTimeAugmentation)
    {
        if (device.type != DeviceType.CUDA)
            return trainingBatch;
        int batch = Math.Max(trainingBatch, 256);
        long pixelsPerImage = (long)height * width * (flipTestTimeAugmentation ? 2 : 1);
        return (int)Math.Max(batch, Math.Min(MillionPixels / pixelsPerImage, 8192));
    }

    private const long MillionPixels = 1 << 20;

    /// <summary>Evaluates one network on <paramref name="data"/>: every head on its label column.</summary>
    public static NetworkEvaluation Evaluate(MultiHeadNetwork network, LabelledImageSet data, int batchSize, InputAdapter input,
        bool flipTestTimeAugmentation = false) =>
        Evaluate([network], data, batchSize, input, flipTestTimeAugmentation, CancellationToken.None)[0];

    /// <summary>
    /// Evaluates several networks with the same heads (e.g. a network and its weight average) in one pass
    /// over <paramref name="data"/>, so a streamed set is decoded once; one evaluation per network, in order.
    /// <paramref name="stop"/> is checked between batches: a stop throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static IReadOnlyList<NetworkEvaluation> Evaluate(IReadOnlyList<MultiHeadNetwork> networks, LabelledImageSet data, int batchSize,
        InputAdapter input, bool flipTestTimeAugmentation, CancellationToken stop) =>
        Run(networks.Select(n => ((nn.Module)n, (Func<Tensor, IReadOnlyDictionary<string, Tensor>>)n.call)).ToList(), networks[0].Heads,
            data, batchSize, input, flipTestTimeAugmentation, stop);

    private static IReadOnlyList<NetworkEvaluation> Run(IReadOnlyList<(nn.Module Module, Func<Tensor, IReadOnlyDictionary<string, Tensor>> Forward)> models,
        IReadOnlyList<TaskHead> heads, LabelledImageSet data, int batchSize, InputAdapter input, bool flipTestTimeAugmentation, CancellationToken stop)
    {
        foreach (var head in heads)
            data.Column(head.Column);
        var modes = models.Select(m => EvalMode.Enter(m.Module)).ToList();
        var metrics = models.Select(_ => heads.Select(h => h.CreateMetrics(input.Device)).ToList()).ToList();
        try
        {
            using var _ = no_grad();
            var order = Enumerable.Range(0, (int)data.Count).Select(i => (long)i).ToArray();
            foreach (var batch in data.Batches(new BatchPlan(order, batchSize, 0, DropLast: false, 0, input.Device)))
            {
                using var scope = NewDisposeScope();
                using var owned = batch;
                stop.ThrowIfCancellationRequested();
                long count = batch.Images.shape[0];
                // The mirrored images ride in the same forward pass (half the kernel launches of two passes);
                // they are made on the model's device, so a streamed batch crosses to a GPU once.
                var images = batch.Images.to(input.Device);
                var x = input.Prepare(flipTestTimeAugmentation ? cat([images, images.flip(3)]) : images, AugmentationOptions.None, null);
                for (int m = 0; m < models.Count; m++)
                {
                    var outputs = models[m].Forward(x);
                    for (int h = 0; h < heads.Count; h++)
                    {
                        var output = outputs[heads[h].Name].to(ScalarType.Float32);
                        if (flipTestTimeAugmentation)
                            output = output.narrow(0, 0, count).Plus(output.narrow(0, count, count)).DivInPlace(2);
                        metrics[m][h].Add(output, batch.Targets[heads[h].Column].to(input.Device));
                    }
                }
            }
            stop.ThrowIfCancellationRequested();
            return metrics.Select(perHead =>
            {
                var results = heads.Select((h, i) => (h.Name, perHead[i].Result())).ToDictionary(r => r.Name, r => r.Item2, StringComparer.Ordinal);
                double loss = heads.Sum(h => h.Weight * (results[h.Name].Samples > 0 ? results[h.Name].Loss : 0));
                return new NetworkEvaluation(results, loss);
            }).ToList();
        }
        finally
        {
            foreach (var perHead in metrics)
                foreach (var m in perHead)
                    m.Dispose();
            foreach (var mode in modes)
                mode.Dispose();
        }
    }
}
