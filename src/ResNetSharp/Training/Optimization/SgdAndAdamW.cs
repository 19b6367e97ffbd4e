using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Stochastic gradient descent with momentum and optional Nesterov, exactly as torch.optim.SGD (dampening 0).</summary>
public sealed class SgdOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double momentum, bool nesterov,
    double weightDecay, bool decayNormsAndBiases = false) : Optimizer(parameters, weightDecay, decayNormsAndBiases)
{
    /// <inheritdoc />
    protected override IReadOnlyList<string> StateBuffers => momentum != 0 ? ["momentum"] : [];

    /// <inheritdoc />
    protected override void Update(Tensor parameter, Tensor grad, Func<string, Tensor> state, Tensor? scratch, double weightDecay, double learningRate)
    {
        var direction = weightDecay != 0 ? Sum(grad, parameter, weightDecay, scratch) : grad;
        if (momentum != 0)
        {
            // A zero buffer times momentum plus the direction is the direction itself: torch's first-step clone.
            var buffer = state("momentum").MulInPlace(momentum).AddInPlace(direction);
            direction = !nesterov ? buffer
                : ReferenceEquals(direction, grad) ? Sum(grad, buffer, momentum, scratch)
                : direction.AddInPlace(buffer, momentum);
        }
        parameter.AddInPlace(direction, -learningRate);
    }

    /// <summary>a + alpha * b, into <paramref name="scratch"/> when there is one (a is never changed).</summary>
    private static Tensor Sum(Tensor a, Tensor b, double alpha, Tensor? scratch) =>
        scratch is null ? a.Plus(b, alpha) : scratch.copy_(a).AddInPlace(b, alpha);
}

/// <summary>Adam with decoupled weight decay, exactly as torch.optim.AdamW (no amsgrad).</summary>
public sealed class AdamWOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double beta1, double beta2, double epsilon,
    double weightDecay, bool decayNormsAndBiases = false) : Optimizer(parameters, weightDecay, decayNormsAndBiases)
{
    /// <inheritdoc />
    protected override IReadOnlyList<string> StateBuffers => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc />
    protected override void Update(Tensor parameter, Tensor grad, Func<string, Tensor> state, Tensor? scratch, double weightDecay, double learningRate)
    {
        if (weightDecay != 0)
            parameter.MulInPlace(1 - learningRate * weightDecay);
        AdamMoments.Step(parameter, grad, state, scratch, beta1, beta2, epsilon, Steps, learningRate);
    }
}
