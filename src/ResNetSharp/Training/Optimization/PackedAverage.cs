using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// A weight average's tensors as views of one flat buffer per dtype, so that an update is a few kernels
/// (one gather of the source tensors, then a scale and an add over the whole buffer) instead of two per
/// tensor: on a GPU the per-tensor loop costs the host more time than the arithmetic costs the device.
/// </summary>
/// <remarks>
/// The source tensors are read through flat views of their storage, taken when this is created: anything
/// that later replaces a source tensor's storage (channels-last conversion, optimiser packing) must come first.
/// </remarks>
internal sealed class PackedAverage : IDisposable
{
    private readonly List<Group> _groups;

    private sealed record Group(Tensor Average, Tensor[] Sources, bool Floating);

    private PackedAverage(List<Group> groups) => _groups = groups;

    /// <summary>
    /// Packs the averages of <paramref name="pairs"/>, or returns null when a tensor is not dense or an
    /// average's layout differs from its source's (the caller then updates tensor by tensor).
    /// </summary>
    public static PackedAverage? TryCreate(IReadOnlyList<(Tensor Average, Tensor Source)> pairs)
    {
        if (pairs.Count == 0 || pairs.Any(p => !ParameterGroup.IsDense(p.Average) || !ParameterGroup.IsDense(p.Source)
                || !p.Average.stride().SequenceEqual(p.Source.stride()) || p.Average.dtype != p.Source.dtype))
            return null;
        using var _ = no_grad();
        return new PackedAverage(pairs.GroupBy(p => p.Average.dtype).Select(g => Pack(g.ToList())).ToList());
    }

    private static Group Pack(List<(Tensor Average, Tensor Source)> pairs)
    {
        var first = pairs[0].Average;
        var flat = empty([pairs.Sum(p => p.Average.numel())], first.dtype, first.device).DetachFromDisposeScope();
        var sources = new Tensor[pairs.Count];
        long offset = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            var (average, source) = pairs[i];
            using (var view = ParameterGroup.ViewOf(flat, average, offset))
            {
                view.copy_(average);
                average.set_(view);
            }
            sources[i] = source.as_strided([source.numel()], [1], source.storage_offset()).DetachFromDisposeScope();
            offset += average.numel();
        }
        return new Group(flat, sources, first.is_floating_point());
    }

    /// <summary>average = decay * average + (1 - decay) * source for floating tensors; counters are copied.</summary>
    public void Update(double decay)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var group in _groups)
        {
            var gathered = cat(group.Sources, 0);
            if (group.Floating)
                group.Average.MulInPlace(decay).AddInPlace(gathered, 1.0 - decay);
            else
                group.Average.copy_(gathered);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var group in _groups)
        {
            group.Average.Dispose();
            foreach (var source in group.Sources)
                source.Dispose();
        }
    }
}
