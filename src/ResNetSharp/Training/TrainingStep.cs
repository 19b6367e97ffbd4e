using ResNetSharp.Data;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// One optimisation step of a run: augment and prepare the batch, forward, loss (with mixing and label
/// smoothing), backward (loss-scaled for fp16), clip, step. Its random draws come from the step's seed,
/// so a resumed run repeats them; its loss is added to a device-side sum, never read back here.
/// </summary>
internal sealed class TrainingStep(TrainingConfig config, Device device, FaultInjection? fault)
{
    /// <summary>
    /// Runs step <paramref name="step"/> on a uint8 batch; returns whether the optimiser stepped (false: an fp16 step
    /// skipped for inf/NaN gradients). Adds the loss to <paramref name="lossSum"/> and the batch's correct top-1
    /// predictions to <paramref name="correctSum"/>, both on the device.
    /// </summary>
    public bool Run(ResNet model, Optimizer optimizer, LossScaler? scaler, Tensor images, Tensor labels, bool paddedCrop, InputAdapter input,
        long step, double learningRate, StepRandom random, Tensor lossSum, Tensor correctSum)
    {
        using var scope = NewDisposeScope();
        long seed = Seeds.Mix(config.Seed, step);
        random.Reseed(seed);
        var augmentation = new AugmentationOptions(paddedCrop ? config.CropPadding : 0, config.HorizontalFlip, config.ErasingProbability);
        var x = input.Prepare(images, augmentation, random.Augmentation);

        var (loss, correct) = Loss(model, x, labels, new Random((int)(seed & int.MaxValue)));
        correctSum.add_(correct);
        if (fault is not null)
            loss = fault.Apply(step, loss, device);
        optimizer.ZeroGrad();
        if (!LossScaler.Backward(loss, scaler, optimizer))
            return false;
        if (config.GradientClip > 0)
            optimizer.ClipGradientNorm(config.GradientClip);
        optimizer.Step(learningRate);
        lossSum.add_(loss.detach().to(ScalarType.Float64));
        return true;
    }

    /// <summary>
    /// Cross-entropy in float32 whatever the compute precision, and the count of correct top-1 predictions (float64);
    /// with mixup/cutmix, both λ-weighted over the two label sets.
    /// </summary>
    private (Tensor Loss, Tensor Correct) Loss(ResNet model, Tensor x, Tensor y, Random random)
    {
        static Tensor Hits(Tensor predicted, Tensor labels) => predicted.eq(labels).sum().to(ScalarType.Float64);
        var mixing = new MixingOptions(config.MixupAlpha, config.CutmixAlpha);
        if (!mixing.Enabled)
        {
            var plain = model.call(x).to(ScalarType.Float32);
            return (nn.functional.cross_entropy(plain, y, label_smoothing: config.LabelSmoothing), Hits(plain.detach().argmax(1), y));
        }
        var mixed = BatchMixing.Apply(x, y, mixing, random);
        var logits = model.call(mixed.Images).to(ScalarType.Float32);
        var predicted = logits.detach().argmax(1);
        var loss = nn.functional.cross_entropy(logits, mixed.Labels, label_smoothing: config.LabelSmoothing).mul_(mixed.Lambda)
            .add_(nn.functional.cross_entropy(logits, mixed.PartnerLabels, label_smoothing: config.LabelSmoothing), 1.0 - mixed.Lambda);
        return (loss, Hits(predicted, mixed.Labels).mul_(mixed.Lambda).add_(Hits(predicted, mixed.PartnerLabels), 1.0 - mixed.Lambda));
    }
}
