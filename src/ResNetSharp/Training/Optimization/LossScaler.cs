using ResNetSharp.Common;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Dynamic loss scaling for float16 training, as torch.cuda.amp.GradScaler: the loss is multiplied by
/// <see cref="Scale"/> before backward so small gradients survive float16; gradients are divided back
/// before the step. A step whose gradients hold inf or NaN is skipped and the scale halves; after
/// <see cref="GrowthInterval"/> good steps in a row it doubles.
/// </summary>
/// <param name="scale">Initial scale (GradScaler's default 65536).</param>
/// <param name="goodSteps">Good steps since the scale last changed (for resuming).</param>
public sealed class LossScaler(double scale = 65536.0, long goodSteps = 0)
{
    /// <summary>Good steps in a row before the scale doubles.</summary>
    public const long GrowthInterval = 2000;

    /// <summary>The current loss multiplier.</summary>
    public double Scale { get; private set; } = scale;

    /// <summary>Good steps since the scale last changed.</summary>
    public long GoodSteps { get; private set; } = goodSteps;

    /// <summary>Steps skipped for non-finite gradients so far in this process.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The loss to call backward on.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Back-propagates <paramref name="loss"/>: plainly without a scaler, else scaled, then unscales and
    /// checks the gradients. Returns whether the optimiser should step (false: skip it, the scale was reduced).
    /// </summary>
    public static bool Backward(Tensor loss, LossScaler? scaler, Optimizer optimizer)
    {
        if (scaler is null)
        {
            loss.backward();
            return true;
        }
        scaler.ScaleLoss(loss).backward();
        return scaler.UnscaleAndCheck(optimizer.Gradients());
    }

    /// <summary>
    /// Divides every gradient by the scale and reports whether all are finite. On false the caller skips
    /// the optimiser step; the scale has already been reduced.
    /// </summary>
    public bool UnscaleAndCheck(IEnumerable<Tensor> gradients)
    {
        using var scope = NewDisposeScope();
        var grads = gradients.ToList();
        bool finite = true;
        if (grads.Count > 0)
        {
            using var _ = no_grad();
            foreach (var grad in grads)
                grad.MulInPlace(1.0 / Scale);
            var sums = stack(grads.Select(g => g.sum().to(ScalarType.Float32)).ToArray());
            finite = sums.isfinite().all().item<bool>();
        }
        Update(finite);
        return finite;
    }

    private void Update(bool finite)
    {
        if (!finite)
        {
            Scale *= 0.5;
            GoodSteps = 0;
            SkippedSteps++;
            return;
        }
        if (++GoodSteps >= GrowthInterval)
        {
            Scale *= 2.0;
            GoodSteps = 0;
        }
    }
}
