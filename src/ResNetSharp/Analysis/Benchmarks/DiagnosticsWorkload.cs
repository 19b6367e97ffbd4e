using TorchSharp;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>
/// What training diagnostics cost: a training step (forward, cross-entropy, backward, packed SGD step) of a
/// network with one classifier, the per-part gradient norm measurement that a logged step adds after its
/// backward, and the dead-unit pass an epoch's end adds on one evaluation batch.
/// </summary>
public sealed class DiagnosticsWorkload : IDisposable
{
    private readonly MultiHeadNetwork _network;
    private readonly Optimizer _optimizer;
    private readonly PartGradientNorms _norms;
    private readonly Tensor _images;
    private readonly Tensor _labels;

    /// <param name="spec">The backbone.</param>
    /// <param name="batch">Images per step (and per dead-unit pass).</param>
    /// <param name="channels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="device">Where to run.</param>
    public DiagnosticsWorkload(ResNetSpec spec, int batch, int channels, int height, int width, Device device)
    {
        manual_seed(0);
        _network = MultiHeadNetwork.FromSpec(spec with { InChannels = channels },
            [new ClassificationHead(MultiHeadNetwork.ClassifierHead, Enumerable.Range(0, 10).Select(i => $"c{i}").ToList())]);
        _network.to(device);
        _optimizer = new SgdOptimizer(_network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.9, true, 5e-4);
        _optimizer.Pack();
        _norms = new PartGradientNorms(_network, device);
        _images = randn(batch, channels, height, width, device: device);
        _labels = randint(0, 10, [batch], device: device);
    }

    /// <summary>One training step without diagnostics.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        _network.train();
        _optimizer.ZeroGrad();
        nn.functional.cross_entropy(_network.call(_images)[MultiHeadNetwork.ClassifierHead], _labels).backward();
        _optimizer.Step(0.01);
    }

    /// <summary>The gradient measurement of a logged step alone (the gradients of the last step are measured again).</summary>
    public void MeasureGradients()
    {
        using var total = _norms.Measure();
    }

    /// <summary>The dead-unit pass of an epoch's end on one batch; ends with a read-back.</summary>
    public void MeasureDeadUnits() => DeadUnits.Measure(_network.ResNetBackbone!, _images);

    /// <inheritdoc />
    public void Dispose()
    {
        _norms.Dispose();
        _images.Dispose();
        _labels.Dispose();
        _network.Dispose();
    }
}
