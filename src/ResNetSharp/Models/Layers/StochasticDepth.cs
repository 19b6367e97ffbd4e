using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Models;

/// <summary>Drop-path: in training, zeroes a whole sample's residual branch with a given probability.</summary>
internal static class StochasticDepth
{
    /// <summary>
    /// Returns <paramref name="branch"/> unchanged in eval mode or at rate 0; otherwise each sample is kept
    /// with probability 1 - rate and scaled by 1 / (1 - rate), so the expected value is unchanged.
    /// </summary>
    public static Tensor Apply(Tensor branch, double rate, bool training)
    {
        if (!training || rate <= 0)
            return branch;
        double keep = 1.0 - rate;
        using var mask = empty([branch.shape[0], 1, 1, 1], branch.dtype, branch.device).bernoulli_(keep);
        return branch * mask.DivInPlace(keep);
    }
}
