using ResNetSharp.Common;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>
/// One repeatable step on a model with fixed random inputs: an eval forward under no-grad, or a training
/// step (forward, cross-entropy in float32, backward, SGD with momentum) as <c>resnet train</c> runs it.
/// Low precision is mixed precision, as PyTorch's autocast: float32 weights, the input and so the
/// convolutions in the low dtype, fp16 with loss scaling. Inputs stay on the device, so a step copies
/// nothing to or from the host.
/// </summary>
public sealed class TorchWorkload : IDisposable
{
    private readonly ResNet _model;
    private readonly Tensor _input;
    private readonly Tensor _labels;
    private readonly Optimizer? _optimizer;
    private readonly LossScaler? _scaler;

    /// <summary>Builds the inputs; <paramref name="train"/> puts the model in training mode with an optimiser, otherwise eval mode.</summary>
    /// <param name="model">Moved to <paramref name="device"/>, and to NHWC weights with <paramref name="channelsLast"/>.</param>
    /// <param name="train">Training step or inference.</param>
    /// <param name="batch">Images per step.</param>
    /// <param name="channels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="precision">Compute precision.</param>
    /// <param name="channelsLast">NHWC inputs and convolution weights.</param>
    /// <param name="device">Where to run.</param>
    public TorchWorkload(ResNet model, bool train, int batch, int channels, int height, int width, Precision precision, bool channelsLast, Device device)
    {
        _model = model;
        _model.to(device);
        if (channelsLast)
            MemoryFormat.ConvertWeights(_model);
        if (device.type == DeviceType.CUDA)
            CudnnAutotune.TrySet(true);
        _model.train(train);
        var generator = new Generator(0, device: CPU);
        using (var values = randn([batch, channels, height, width], generator: generator))
        using (var onDevice = values.to(device))
        using (var laidOut = channelsLast ? MemoryFormat.ToChannelsLast(onDevice) : onDevice.alias())
            _input = laidOut.to(precision.ToScalarType());
        _labels = randint(0, Math.Max(1, model.Spec.NumClasses), [batch], generator: generator).to(device);
        if (!train)
            return;
        _optimizer = new SgdOptimizer(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.9, nesterov: false, weightDecay: 5e-4);
        _optimizer.Pack();
        _scaler = precision == Precision.Fp16 ? new LossScaler() : null;
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
        var loss = nn.functional.cross_entropy(_model.call(_input).to(ScalarType.Float32), _labels);
        _optimizer.ZeroGrad();
        if (LossScaler.Backward(loss, _scaler, _optimizer))
            _optimizer.Step(0.01);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _input.Dispose();
        _labels.Dispose();
    }
}
