using ResNetSharp.Data;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// One optimisation step of a run: augment and prepare the batch, forward, the weighted sum of the heads'
/// losses (with mixing), backward (loss-scaled for fp16), clip, step. Its random draws come from the
/// step's seed, so a resumed run repeats them; its loss is added to a device-side sum, and its classification
/// heads' hits to <see cref="TrainAccuracy"/>, never read back here.
/// </summary>
internal sealed class TrainingStep(TrainingConfig config, Device device, FaultInjection? fault)
{
    /// <summary>
    /// Runs step <paramref name="step"/>; returns whether the optimiser stepped (false: an fp16 step skipped for
    /// inf/NaN gradients). With <paramref name="gradientNorm"/>, the gradients (unscaled, before clipping) are
    /// measured per part and their total norm is copied there, on the device.
    /// </summary>
    public bool Run(RunSession session, LabelledBatch batch, bool paddedCrop, long step, double learningRate, StepRandom random, Tensor lossSum,
        TrainAccuracy accuracy, Tensor? gradientNorm = null)
    {
        using var scope = NewDisposeScope();
        long seed = Seeds.Mix(config.Run.Seed, step);
        random.Reseed(seed);
        var a = config.Augmentation;
        var augmentation = new AugmentationOptions(paddedCrop ? a.CropPadding : 0, a.HorizontalFlip, a.ErasingProbability);
        var x = session.Input.Prepare(batch.Images, augmentation, random.Augmentation);

        var loss = Loss(session.Network, x, batch.Targets, new Random((int)(seed & int.MaxValue)), accuracy);
        if (fault is not null)
            loss = fault.Apply(step, loss, device);
        var optimizer = session.Optimizer;
        optimizer.ZeroGrad();
        if (!LossScaler.Backward(loss, session.Scaler, optimizer))
            return false;
        if (gradientNorm is not null && session.Gradients is { } gradients)
            gradientNorm.copy_(gradients.Measure());
        if (config.Optimization.GradientClip > 0)
            optimizer.ClipGradientNorm(config.Optimization.GradientClip);
        optimizer.Step(learningRate);
        lossSum.AddInPlace(loss.detach().to(ScalarType.Float64));
        return true;
    }

    /// <summary>
    /// The weighted sum of the heads' float32 losses; with mixup/cutmix, each head's loss is λ times its
    /// loss on the batch's own targets plus (1 - λ) times its loss on the mixed-in images' targets.
    /// </summary>
    private Tensor Loss(MultiHeadNetwork network, Tensor x, IReadOnlyDictionary<string, Tensor> targets, Random random, TrainAccuracy accuracy)
    {
        var mixing = new MixingOptions(config.Augmentation.MixupAlpha, config.Augmentation.CutmixAlpha);
        double lambda = 1;
        if (mixing.Enabled)
            (x, lambda) = BatchMixing.Mix(x, mixing, random);
        var outputs = network.call(x);
        Tensor? total = null;
        foreach (var head in network.Heads)
        {
            var output = outputs[head.Name];
            var target = targets[head.Column];
            accuracy.Add(head, output, target, lambda);
            var loss = head.Loss(output, target);
            if (lambda < 1)
                loss = loss.Times(lambda).AddInPlace(head.Loss(output, target.flip(0)), 1.0 - lambda);
            loss = head.Weight == 1 ? loss : loss.Times(head.Weight);
            total = total is null ? loss : total.Plus(loss);
        }
        return total ?? throw new InvalidOperationException("the network has no heads to train.");
    }
}
