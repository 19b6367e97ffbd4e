using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// The random state of one training step, reseeded from the step's seed so that a resumed run draws what
/// an uninterrupted one would. TorchSharp makes only CPU generators (its native generator constructor
/// ignores the device) and its <c>manual_seed</c> seeds only the CPU default generator, so on CUDA the
/// augmentation draws from the device's default generator, which is seeded here too.
/// </summary>
internal sealed class StepRandom : IDisposable
{
    private readonly Device _device;

    /// <summary>Random state for steps on <paramref name="device"/>.</summary>
    public StepRandom(Device device)
    {
        _device = device;
        Augmentation = device.type == DeviceType.CPU ? new Generator(0) : null;
    }

    /// <summary>The generator to pass to random draws on the device (null: the device's default generator).</summary>
    public Generator? Augmentation { get; }

    /// <summary>Seeds the augmentation generator and the default generators (drop-path) for the step with this seed.</summary>
    public void Reseed(long seed)
    {
        Augmentation?.manual_seed(seed);
        using (random.manual_seed(seed + 1)) { }
        if (_device.type == DeviceType.CUDA)
            cuda.manual_seed(seed);
    }

    /// <inheritdoc />
    public void Dispose() => Augmentation?.Dispose();
}
