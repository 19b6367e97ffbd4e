using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// An optimiser over named parameters whose whole state is named tensors, so checkpoints hold it
/// exactly and a resumed run continues bit for bit. Norm parameters and biases (tensors of rank 1 or
/// less) can be excluded from weight decay.
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

    /// <summary>Multiplier of the learning rate per parameter name (e.g. a smaller rate for a pretrained backbone); null: 1 for all.</summary>
    public Func<string, double>? LearningRateScale { get; init; }

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> to every parameter that has a gradient.</summary>
    public void Step(double learningRate)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Steps++;
        foreach (var (name, parameter, decay) in Parameters)
            if (parameter.grad is { } grad)
                Update(name, parameter, grad, decay ? WeightDecay : 0.0, learningRate * (LearningRateScale?.Invoke(name) ?? 1.0));
    }

    /// <summary>Updates one parameter.</summary>
    protected abstract void Update(string name, Tensor parameter, Tensor grad, double weightDecay, double learningRate);

    /// <summary>The gradients of the parameters that have one; each is a new handle, so read them inside a dispose scope.</summary>
    public IEnumerable<Tensor> Gradients() => Parameters.Select(p => p.Parameter.grad).OfType<Tensor>();

    /// <summary>Clears every gradient.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope(); // each .grad read is a new handle
        foreach (var (_, parameter, _) in Parameters)
            parameter.grad?.fill_(0);
    }

    /// <summary>A state tensor, created as zeros like <paramref name="like"/> on first use (or by <paramref name="create"/>).</summary>
    protected Tensor StateOf(string name, string buffer, Tensor like, Func<Tensor>? create = null)
    {
        string key = $"{name}/{buffer}";
        if (!State.TryGetValue(key, out var tensor))
        {
            tensor = (create?.Invoke() ?? zeros_like(like)).DetachFromDisposeScope();
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
        foreach (var tensor in State.Values)
            tensor.Dispose();
        State.Clear();
        foreach (var (key, tensor) in entries)
        {
            string parameterName = key[..key.LastIndexOf('/')];
            if (!known.TryGetValue(parameterName, out var parameter))
                throw new InvalidDataException($"optimiser state '{key}' belongs to no trainable parameter of this model.");
            State[key] = tensor.to(parameter.device).DetachFromDisposeScope();
        }
        Steps = steps;
    }

    /// <summary>Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before.</summary>
    public double ClipGradientNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = Gradients().ToList();
        if (grads.Count == 0)
            return 0;
        var total = stack(grads.Select(g => g.norm()).ToArray()).norm();
        var scale = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        foreach (var grad in grads)
            grad.mul_(scale);
        return total.item<float>();
    }
}

/// <summary>Stochastic gradient descent with momentum and optional Nesterov, exactly as torch.optim.SGD (dampening 0).</summary>
public sealed class SgdOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double momentum, bool nesterov,
    double weightDecay, bool decayNormsAndBiases = false) : Optimizer(parameters, weightDecay, decayNormsAndBiases)
{
    /// <inheritdoc />
    protected override void Update(string name, Tensor parameter, Tensor grad, double weightDecay, double learningRate)
    {
        var direction = weightDecay != 0 ? grad.add(parameter, weightDecay) : grad;
        if (momentum != 0)
        {
            bool first = !State.ContainsKey($"{name}/momentum");
            var buffer = StateOf(name, "momentum", parameter, () => direction.clone());
            if (!first)
                buffer.mul_(momentum).add_(direction);
            direction = nesterov ? direction.add(buffer, momentum) : buffer;
        }
        parameter.add_(direction, -learningRate);
    }
}

/// <summary>Adam with decoupled weight decay, exactly as torch.optim.AdamW (no amsgrad).</summary>
public sealed class AdamWOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double beta1, double beta2, double epsilon,
    double weightDecay, bool decayNormsAndBiases = false) : Optimizer(parameters, weightDecay, decayNormsAndBiases)
{
    /// <inheritdoc />
    protected override void Update(string name, Tensor parameter, Tensor grad, double weightDecay, double learningRate)
    {
        if (weightDecay != 0)
            parameter.mul_(1 - learningRate * weightDecay);
        var mean = StateOf(name, "exp_avg", parameter).mul_(beta1).add_(grad, 1 - beta1);
        var variance = StateOf(name, "exp_avg_sq", parameter).mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        double correction1 = 1 - Math.Pow(beta1, Steps);
        double correction2 = 1 - Math.Pow(beta2, Steps);
        var denominator = variance.sqrt().div_(Math.Sqrt(correction2)).add_(epsilon);
        parameter.addcdiv_(mean, denominator, -learningRate / correction1);
    }
}
