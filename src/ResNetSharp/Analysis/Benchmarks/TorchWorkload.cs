using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>
/// One repeatable step on a model with fixed random inputs: an eval forward under no-grad, or a training
/// step (forward, cross-entropy, backward, SGD with momentum). Inputs stay on the device, so a step
/// copies nothing to or from the host.
/// </summary>
public sealed class TorchWorkload : IDisposable
{
    private readonly ResNet _model;
    private readonly Tensor _input;
    private readonly Tensor _labels;
    private readonly Optimizer? _optimizer;

    /// <summary>Builds the inputs; <paramref name="train"/> puts the model in training mode with an optimiser, otherwise eval mode.</summary>
    /// <param name="model">Moved to <paramref name="device"/> (and to <paramref name="dtype"/> for inference).</param>
    /// <param name="train">Training step or inference.</param>
    /// <param name="batch">Images per step.</param>
    /// <param name="channels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="dtype">Float32, or BFloat16/Float16 for inference; training in low precision needs the mixed-precision engine.</param>
    /// <param name="device">Where to run.</param>
    public TorchWorkload(ResNet model, bool train, int batch, int channels, int height, int width, ScalarType dtype, Device device)
    {
        if (train && dtype != ScalarType.Float32)
            throw new ArgumentException($"training benchmarks run in float32 for now; {dtype} training needs mixed precision (loss in fp32, fp32 master weights), which is not built yet.");
        _model = model;
        _model.to(device);
        if (dtype != ScalarType.Float32)
            _model.to(dtype);
        _model.train(train);
        var generator = new Generator(0, device: CPU);
        _input = randn([batch, channels, height, width], generator: generator).to(dtype).to(device);
        _labels = randint(0, Math.Max(1, model.Spec.NumClasses), [batch], generator: generator).to(device);
        if (train)
            _optimizer = new SgdOptimizer(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.9, nesterov: false, weightDecay: 5e-4);
    }

    /// <summary>Runs one step.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        if (_optimizer is null)
        {
            using var _ = no_grad();
            _model.call(_input);
            return;
        }
        var loss = nn.functional.cross_entropy(_model.call(_input), _labels);
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.Step(0.01);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _input.Dispose();
        _labels.Dispose();
    }
}
