using TorchSharp;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>
/// The optimiser alone: zero the gradients and take one SGD step (Nesterov, weight decay off norms and
/// biases) over a model's parameters with fixed random gradients, packed into groups or parameter by
/// parameter. On a GPU the difference is mostly kernel launches; on a CPU, memory traffic.
/// </summary>
public static class OptimizerWorkload
{
    /// <summary>A step over <paramref name="model"/>'s parameters, moved to <paramref name="device"/> (and NHWC with <paramref name="channelsLast"/>).</summary>
    public static Action Create(ResNet model, Device device, bool packed, bool channelsLast)
    {
        model.to(device);
        if (channelsLast)
            MemoryFormat.ConvertWeights(model);
        var parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        using (no_grad())
            foreach (var (_, parameter) in parameters)
                parameter.grad = randn_like(parameter);
        var optimizer = new SgdOptimizer(parameters, 0.9, nesterov: true, weightDecay: 5e-4);
        if (packed)
            optimizer.Pack();
        return () =>
        {
            optimizer.ZeroGrad();
            optimizer.Step(0.01);
        };
    }
}
