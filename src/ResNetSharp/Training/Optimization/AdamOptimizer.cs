using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Adam with weight decay as an L2 term added to the gradient, exactly as torch.optim.Adam (no amsgrad): the
/// decay then passes through the adaptive scaling, unlike <see cref="AdamWOptimizer"/>'s.
/// </summary>
public sealed class AdamOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double beta1, double beta2, double epsilon,
    double weightDecay, bool decayNormsAndBiases = false) : Optimizer(parameters, weightDecay, decayNormsAndBiases)
{
    /// <inheritdoc />
    protected override IReadOnlyList<string> StateBuffers => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc />
    protected override void Update(Tensor parameter, Tensor grad, Func<string, Tensor> state, Tensor? scratch, double weightDecay, double learningRate)
    {
        // The decayed gradient goes into the scratch (a group's) or a temporary; the next use of the scratch
        // is the square root below, after both moments have read it.
        var g = weightDecay == 0 ? grad : scratch is null ? grad.Plus(parameter, weightDecay) : scratch.copy_(grad).AddInPlace(parameter, weightDecay);
        AdamMoments.Step(parameter, g, state, scratch, beta1, beta2, epsilon, Steps, learningRate);
    }
}

/// <summary>The step Adam and AdamW share: both moments updated from a gradient, bias-corrected, applied to the parameter.</summary>
internal static class AdamMoments
{
    /// <summary>
    /// Updates exp_avg and exp_avg_sq from <paramref name="grad"/> and moves <paramref name="parameter"/> by the corrected
    /// ratio; <paramref name="scratch"/>, when given, holds the square root (so <paramref name="grad"/> may live in it).
    /// </summary>
    public static void Step(Tensor parameter, Tensor grad, Func<string, Tensor> state, Tensor? scratch, double beta1, double beta2,
        double epsilon, long steps, double learningRate)
    {
        var mean = state("exp_avg").MulInPlace(beta1).AddInPlace(grad, 1 - beta1);
        var variance = state("exp_avg_sq").MulInPlace(beta2).AddProductInPlace(grad, grad, 1 - beta2);
        double correction1 = 1 - Math.Pow(beta1, steps);
        double correction2 = 1 - Math.Pow(beta2, steps);
        var denominator = (scratch is null ? variance.sqrt() : scratch.copy_(variance).sqrt_()).DivInPlace(Math.Sqrt(correction2)).AddInPlace(epsilon);
        parameter.AddQuotientInPlace(mean, denominator, -learningRate / correction1);
    }
}
