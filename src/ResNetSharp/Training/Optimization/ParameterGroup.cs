using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Parameters that share a weight decay and a learning-rate scale, packed into one flat buffer: each
/// parameter becomes a view of it with its own shape and strides (channels-last included), and each
/// gradient a view of a second buffer that autograd accumulates into in place. An optimiser then
/// updates the whole group with a handful of tensor operations instead of a handful per parameter,
/// which on a GPU removes most of the step's kernel launches.
/// </summary>
public sealed class ParameterGroup
{
    private readonly List<(string Name, Tensor Parameter, long Offset)> _members = [];

    /// <summary>Every parameter of the group, end to end.</summary>
    public Tensor Values { get; }

    /// <summary>Every gradient of the group, end to end.</summary>
    public Tensor Gradients { get; }

    /// <summary>Weight decay of the group's parameters.</summary>
    public double WeightDecay { get; }

    /// <summary>Learning-rate multiplier of the group's parameters.</summary>
    public double LearningRateScale { get; }

    /// <summary>Names of the parameters in the group.</summary>
    public IEnumerable<string> Names => _members.Select(m => m.Name);

    /// <summary>Whether every parameter of the group currently receives gradients.</summary>
    public bool AllTrainable => _members.All(m => m.Parameter.requires_grad);

    /// <summary>Packs <paramref name="parameters"/> (dense, all on one device with one dtype); their values and gradients are kept.</summary>
    public ParameterGroup(IReadOnlyList<(string Name, Tensor Parameter)> parameters, double weightDecay, double learningRateScale)
    {
        WeightDecay = weightDecay;
        LearningRateScale = learningRateScale;
        var first = parameters[0].Parameter;
        long total = parameters.Sum(p => p.Parameter.numel());
        Values = empty([total], first.dtype, first.device).DetachFromDisposeScope();
        Gradients = zeros([total], first.dtype, first.device).DetachFromDisposeScope();
        using var _ = no_grad();
        long offset = 0;
        foreach (var (name, parameter) in parameters)
        {
            using var value = ViewOf(Values, parameter, offset);
            value.copy_(parameter);
            using var gradient = ViewOf(Gradients, parameter, offset);
            using (var old = parameter.grad)
                if (old is not null)
                    gradient.copy_(old);
            parameter.set_(value);
            parameter.grad = gradient;
            _members.Add((name, parameter, offset));
            offset += parameter.numel();
        }
    }

    /// <summary>A new zero buffer the size of the group, for optimiser state.</summary>
    public Tensor NewState() => zeros_like(Values).DetachFromDisposeScope();

    /// <summary>The view of a group-sized buffer that belongs to parameter <paramref name="name"/>.</summary>
    public Tensor ViewOf(Tensor buffer, string name)
    {
        var (_, parameter, offset) = _members.First(m => m.Name == name);
        return ViewOf(buffer, parameter, offset).DetachFromDisposeScope();
    }

    /// <summary>Whether a tensor's elements fill its storage span exactly, in some order of dimensions (so it can be a view of a flat buffer).</summary>
    public static bool IsDense(Tensor tensor)
    {
        long span = 1;
        foreach (var (size, stride) in tensor.shape.Zip(tensor.stride()).OrderBy(d => d.Second))
        {
            if (size == 1)
                continue;
            if (stride != span)
                return false;
            span *= size;
        }
        return true;
    }

    /// <summary>The view of flat <paramref name="buffer"/>, from <paramref name="offset"/>, with <paramref name="like"/>'s shape and strides.</summary>
    internal static Tensor ViewOf(Tensor buffer, Tensor like, long offset) => buffer.as_strided(like.shape, like.stride(), offset);
}
