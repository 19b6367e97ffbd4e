using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// The L2 norm of each part's gradients, summed on the device over the measured steps and read back once per
/// epoch. A measurement is one norm per parameter, stacked, then one matrix product that adds the squares of
/// each part's norms: a few dozen small kernels and no read-back, so the host never waits for the device here.
/// </summary>
internal sealed class PartGradientNorms : IDisposable
{
    private readonly IReadOnlyList<(string Name, Tensor Parameter)> _parameters;
    private readonly Tensor _sums;
    private long _measured;

    /// <param name="network">The network whose parameters are measured, by part.</param>
    /// <param name="device">Where the sums live.</param>
    public PartGradientNorms(MultiHeadNetwork network, Device device)
    {
        var parameters = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        Parts = parameters.Select(p => network.PartOf(p.name)).Distinct().ToList();
        _parameters = parameters;
        _partOf = parameters.Select(p => Parts.ToList().IndexOf(network.PartOf(p.name))).ToArray();
        _sums = zeros([Parts.Count], ScalarType.Float64, device);
        _present = zeros([Parts.Count], ScalarType.Float64, device);
        _allParts = tensor(_partOf.Select(i => (long)i).ToArray()).to(device).DetachFromDisposeScope();
    }

    private readonly int[] _partOf;
    private readonly Tensor _present;

    /// <summary>The part of every parameter, on the device: a copy from the host at each step could wait for the device.</summary>
    private readonly Tensor _allParts;

    /// <summary>The parts, in the order of the network's parameters.</summary>
    public IReadOnlyList<string> Parts { get; }

    /// <summary>Adds the current gradients' norm per part to the epoch's sums; returns the total norm as a device scalar (the caller disposes it).</summary>
    public Tensor Measure()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var norms = new List<Tensor>(_parameters.Count);
        var rows = new List<long>(_parameters.Count);
        for (int i = 0; i < _parameters.Count; i++)
        {
            if (_parameters[i].Parameter.grad is { } grad && _parameters[i].Parameter.requires_grad)
            {
                norms.Add(grad.norm().to(ScalarType.Float64));
                rows.Add(_partOf[i]);
            }
        }
        if (norms.Count == 0)
            return tensor(double.NaN).MoveToOuterDisposeScope();
        var squares = stack(norms).square();
        var parts = rows.Count == _parameters.Count ? _allParts : tensor(rows.ToArray()).to(_sums.device);
        var perPart = zeros([Parts.Count], ScalarType.Float64, _sums.device).index_add_(0, parts, squares, 1);
        _sums.AddInPlace(perPart.sqrt());
        _present.index_fill_(0, parts, 1.0);
        _measured++;
        return squares.sum().sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>Each part's mean norm over the steps measured since the last call (NaN for parts never measured), and starts again.</summary>
    public IReadOnlyDictionary<string, double> TakeMeans()
    {
        using var scope = NewDisposeScope();
        var sums = _sums.cpu().data<double>().ToArray();
        var present = _present.cpu().data<double>().ToArray();
        var means = Parts.Select((p, i) => (p, present[i] > 0 && _measured > 0 ? sums[i] / _measured : double.NaN))
            .ToDictionary(x => x.p, x => x.Item2, StringComparer.Ordinal);
        _sums.FillInPlace(0);
        _present.FillInPlace(0);
        _measured = 0;
        return means;
    }

    public void Dispose()
    {
        _sums.Dispose();
        _present.Dispose();
        _allParts.Dispose();
    }
}
