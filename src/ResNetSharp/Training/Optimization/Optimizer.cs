using ResNetSharp.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// An optimiser over named parameters whose whole state is named tensors, so checkpoints hold it
/// exactly and a resumed run continues bit for bit. Norm parameters and biases (tensors of rank 1 or
/// less) can be excluded from weight decay. After <see cref="Pack"/>, a step updates whole parameter
/// groups at once (see <see cref="ParameterGroup"/>), like PyTorch's multi-tensor optimisers.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Parameters being optimised, by state-dict name.</summary>
    protected IReadOnlyList<(string Name, Tensor Parameter, bool Decay)> Parameters { get; }

    /// <summary>The optimiser's state tensors, by "parameter-name/buffer-name".</summary>
    protected Dictionary<string, Tensor> State { get; } = new(StringComparer.Ordinal);

    /// <summary>Number of steps taken.</summary>
    public long Steps { get; protected set; }

    /// <summary>L2 (SGD) or decoupled (AdamW) weight decay factor.</summary>
    public double WeightDecay { get; }

    /// <param name="parameters">Named parameters; frozen ones (no gradient) are skipped at each step, so they can be unfrozen later.</param>
    /// <param name="weightDecay">Weight decay factor.</param>
    /// <param name="decayNormsAndBiases">Also decay rank-0/1 tensors (norm weights, biases).</param>
    protected Optimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double weightDecay, bool decayNormsAndBiases)
    {
        Parameters = parameters.Select(p => (p.Name, p.Parameter, decayNormsAndBiases || p.Parameter.dim() > 1)).ToList();
        WeightDecay = weightDecay;
    }

    private List<(ParameterGroup Group, Dictionary<string, Tensor> State, Tensor Scratch)>? _groups;

    /// <summary>Whether the parameters are packed into groups.</summary>
    public bool IsPacked => _groups is not null;

    /// <summary>Names of the per-parameter state buffers the update uses.</summary>
    protected abstract IReadOnlyList<string> StateBuffers { get; }

    /// <summary>
    /// Packs the parameters into one buffer per (weight decay, learning-rate scale) group, so each step
    /// updates whole groups with a few tensor operations; existing state is kept, as views of group
    /// buffers, and checkpoints still name it per parameter. Call once the parameters are on their
    /// device, in their dtype and memory layout. Returns false, changing nothing, when they do not share
    /// one device and dtype or one is not dense.
    /// </summary>
    public bool Pack()
    {
        if (_groups is not null)
            return true;
        var first = Parameters[0].Parameter;
        if (Parameters.Any(p => p.Parameter.device_type != first.device_type || p.Parameter.device_index != first.device_index
                || p.Parameter.dtype != first.dtype || !ParameterGroup.IsDense(p.Parameter)))
            return false;
        using var _ = no_grad();
        _groups = [];
        foreach (var members in Parameters.GroupBy(p => (Decay: p.Decay ? WeightDecay : 0.0, Scale: LearningRateScale?.Invoke(p.Name) ?? 1.0)))
        {
            var group = new ParameterGroup(members.Select(m => (m.Name, m.Parameter)).ToList(), members.Key.Decay, members.Key.Scale);
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var buffer in StateBuffers)
            {
                state[buffer] = group.NewState();
                foreach (var name in group.Names)
                {
                    var view = group.ViewOf(state[buffer], name);
                    if (State.Remove($"{name}/{buffer}", out var old))
                    {
                        view.copy_(old);
                        old.Dispose();
                    }
                    State[$"{name}/{buffer}"] = view;
                }
            }
            // One reusable temporary per group: group-sized temporaries allocated every step cost page
            // faults on the CPU (large blocks are not cached there), more than the update itself.
            _groups.Add((group, state, group.NewState()));
        }
        return true;
    }

    /// <summary>Multiplier of the learning rate per parameter name (e.g. a smaller rate for a pretrained backbone); null: 1 for all.</summary>
    public Func<string, double>? LearningRateScale { get; init; }

    /// <summary>
    /// Applies one update with learning rate <paramref name="learningRate"/> to every trainable parameter
    /// that has a gradient: group by group when packed and nothing is frozen, else parameter by parameter.
    /// </summary>
    public void Step(double learningRate)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Steps++;
        if (_groups is not null && _groups.All(g => g.Group.AllTrainable))
        {
            foreach (var (group, state, scratch) in _groups)
                Update(group.Values, group.Gradients, buffer => state[buffer], scratch, group.WeightDecay, learningRate * group.LearningRateScale);
            return;
        }
        foreach (var (name, parameter, decay) in Parameters)
            if (parameter.requires_grad && parameter.grad is { } grad)
                Update(parameter, grad, buffer => StateOf(name, buffer, parameter), null, decay ? WeightDecay : 0.0,
                    learningRate * (LearningRateScale?.Invoke(name) ?? 1.0));
    }

    /// <summary>
    /// Updates one parameter, or one packed group. <paramref name="state"/> gives a state buffer of the same
    /// shape by name; <paramref name="scratch"/>, for groups, is a reusable temporary of the same shape whose
    /// contents do not matter (null: allocate temporaries).
    /// </summary>
    protected abstract void Update(Tensor parameter, Tensor grad, Func<string, Tensor> state, Tensor? scratch, double weightDecay, double learningRate);

    /// <summary>All gradients: one per group when packed, else one per parameter that has one. Each is a new handle, so read them inside a dispose scope.</summary>
    public IEnumerable<Tensor> Gradients() => _groups is not null
        ? _groups.Select(g => g.Group.Gradients.alias())
        : Parameters.Select(p => p.Parameter.grad).OfType<Tensor>();

    /// <summary>Clears every gradient (in place: packed gradients stay views of their group).</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope(); // each .grad read is a new handle
        if (_groups is not null)
        {
            foreach (var (group, _, _) in _groups)
                group.Gradients.FillInPlace(0);
            return;
        }
        foreach (var (_, parameter, _) in Parameters)
            parameter.grad?.FillInPlace(0);
    }

    /// <summary>A parameter's state tensor, created as zeros like the parameter on first use.</summary>
    private Tensor StateOf(string name, string buffer, Tensor like)
    {
        string key = $"{name}/{buffer}";
        if (!State.TryGetValue(key, out var tensor))
        {
            tensor = zeros_like(like).DetachFromDisposeScope();
            State[key] = tensor;
        }
        return tensor;
    }

    /// <summary>The state to checkpoint: buffers by name plus the step count.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateEntries() =>
        State.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>Restores state saved by <see cref="StateEntries"/> and the step count.</summary>
    public void LoadState(IEnumerable<(string Name, Tensor Tensor)> entries, long steps)
    {
        var known = Parameters.ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var incoming = entries.ToList();
        foreach (var (key, _) in incoming)
            if (key.LastIndexOf('/') is var slash && (slash < 0 || !known.ContainsKey(key[..slash])))
                throw new InvalidDataException($"optimiser state '{key}' belongs to no trainable parameter of this model.");
        using var _ = no_grad();
        if (_groups is not null)
        {
            foreach (var (_, state, _) in _groups)
                foreach (var buffer in state.Values)
                    buffer.FillInPlace(0);
            foreach (var (key, tensor) in incoming)
            {
                if (!State.TryGetValue(key, out var view))
                    throw new InvalidDataException($"optimiser state '{key}' is not a state buffer of this optimiser ({string.Join(", ", StateBuffers)}).");
                view.copy_(tensor);
            }
        }
        else
        {
            foreach (var tensor in State.Values)
                tensor.Dispose();
            State.Clear();
            foreach (var (key, tensor) in incoming)
                State[key] = tensor.to(known[key[..key.LastIndexOf('/')]].device).DetachFromDisposeScope();
        }
        Steps = steps;
    }

    /// <summary>
    /// Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>, entirely on the
    /// device: the norm is never read back, which would make the host wait for the GPU at every step.
    /// </summary>
    public void ClipGradientNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = Gradients().ToList();
        if (grads.Count == 0)
            return;
        var total = stack(grads.Select(g => g.norm()).ToArray()).norm();
        using var ceiling = 1.0.ToScalar(); // held: see HeldScalars
        var scale = total.Plus(1e-6).reciprocal_().MulInPlace(maxNorm).clamp_max_(ceiling); // maxNorm / (total + 1e-6), at most 1, as TorchSharp's / computes it
        foreach (var grad in grads)
            grad.mul_(scale);
    }
}
