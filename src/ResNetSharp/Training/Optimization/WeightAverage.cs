using ResNetSharp.Common;
using TorchSharp;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Exponential moving average of a network's weights and BatchNorm statistics (timm's ModelEmaV3 with
/// warm-up): after each step, ema = d * ema + (1 - d) * weights with d = min(decay, (1 + n) / (10 + n)) at
/// update n, so early averages are not dominated by the random initialisation. The average lives in its
/// own network of the same spec, with the source's memory layouts, evaluated and saved separately. Its
/// tensors are packed into flat buffers so an update is a few kernels: create it after anything that
/// replaces the source's tensors' storage (channels-last conversion, <see cref="Optimizer.Pack"/>).
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly List<(Tensor Average, Tensor Source)> _pairs;

    /// <summary>The averaged network (eval mode); pass it to the evaluator or save it.</summary>
    public nn.Module Model { get; }

    /// <summary>Target decay per step, e.g. 0.999.</summary>
    public double Decay { get; }

    /// <summary>Updates done.</summary>
    public long Updates { get; private set; }

    /// <summary>Starts the average at <paramref name="source"/>'s current weights, in a new network of the same spec.</summary>
    public WeightAverage(ResNet source, double decay) : this(source, new ResNet(source.Spec), decay)
    {
    }

    /// <summary>
    /// Starts the average at <paramref name="source"/>'s current weights, held in <paramref name="twin"/>: a network of
    /// the same structure (same state-dict names and shapes), which the average owns and moves to the source's device.
    /// </summary>
    public WeightAverage(nn.Module source, nn.Module twin, double decay)
    {
        if (decay is <= 0 or >= 1)
        {
            twin.Dispose();
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in (0, 1).");
        }
        Decay = decay;
        var reference = source.parameters().First();
        Model = twin;
        Model.to(reference.device);
        Model.eval();
        foreach (var parameter in Model.parameters())
            parameter.requires_grad = false;
        var mine = StateDictOrder.Entries(Model).ToList();
        var theirs = StateDictOrder.Entries(source).ToList();
        if (!mine.Select(m => (m.Name, string.Join("x", m.Tensor.shape))).SequenceEqual(theirs.Select(t => (t.Name, string.Join("x", t.Tensor.shape)))))
            throw new ArgumentException("the weight average's network differs from the source's in names or shapes.", nameof(twin));
        _pairs = mine.Zip(theirs, (m, t) => (m.Tensor, t.Tensor)).ToList();
        FollowLayouts();
        Restart();
        _packed = PackedAverage.TryCreate(_pairs);
    }

    private readonly PackedAverage? _packed;

    /// <summary>Whether updates run over flat buffers (every tensor dense, layouts matching) rather than tensor by tensor.</summary>
    internal bool IsPacked => _packed is not null;

    /// <summary>Gives each averaged tensor its source's memory layout (e.g. channels-last convolution weights).</summary>
    private void FollowLayouts()
    {
        using var _ = no_grad();
        foreach (var (average, value) in _pairs)
            if (!average.stride().SequenceEqual(value.stride()))
            {
                using var copy = value.detach().clone();
                average.set_(copy);
            }
    }

    /// <summary>Starts the average again at the source network's current weights.</summary>
    public void Restart()
    {
        using var _ = no_grad();
        foreach (var (average, value) in _pairs)
            average.copy_(value);
        Updates = 0;
    }

    /// <summary>The decay used at update <paramref name="update"/> (0-based).</summary>
    public double DecayAt(long update) => Math.Min(Decay, (1.0 + update) / (10.0 + update));

    /// <summary>Moves the average towards the source network's current weights.</summary>
    public void Update()
    {
        using var _ = no_grad();
        double decay = DecayAt(Updates++);
        if (_packed is not null)
        {
            _packed.Update(decay);
            return;
        }
        foreach (var (average, value) in _pairs)
        {
            if (average.is_floating_point())
                average.MulInPlace(decay).AddInPlace(value, 1.0 - decay);
            else
                average.copy_(value); // num_batches_tracked
        }
    }

    /// <summary>Restores the average and its update count from a checkpoint.</summary>
    public void Load(IEnumerable<(string Name, Tensor Tensor)> tensors, long updates, string source)
    {
        Interop.WeightLoader.Load(Model, tensors, source);
        Updates = updates;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _packed?.Dispose();
        Model.Dispose();
    }
}
