using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Which recipe a run starts from.</summary>
public enum RecipeKind
{
    /// <summary><see cref="TrainingRecipe.Full"/> on a GPU, <see cref="TrainingRecipe.Cpu"/> anywhere else.</summary>
    Auto,

    /// <summary>The GPU-sized recipe, <see cref="TrainingRecipe.Full"/>.</summary>
    Full,

    /// <summary>The recipe that finishes on a CPU, <see cref="TrainingRecipe.Cpu"/>.</summary>
    Cpu,
}

/// <summary>
/// A named starting configuration: the values a run takes for every setting its own config does not give.
/// <see cref="Full"/> is <see cref="TrainingConfig"/>'s defaults (resnet18_cifar, 15 epochs: about 95%
/// Fashion-MNIST test top-1, a GPU-sized job that takes hours on a CPU); <see cref="Cpu"/> trains a narrow
/// ten-layer ResNet on a CPU to about 91% (figures in bench/RESULTS.md).
/// </summary>
/// <param name="Name">The recipe's name: full or cpu.</param>
/// <param name="Config">The configuration it starts from.</param>
/// <param name="Summary">What it trains and what to expect, in a line.</param>
public sealed record TrainingRecipe(string Name, TrainingConfig Config, string Summary)
{
    /// <summary>resnet18_cifar, 15 epochs of 256, SGD with Nesterov momentum at 0.1 on a one-cycle schedule, label smoothing, crop/flip/erasing.</summary>
    public static TrainingRecipe Full { get; } = new("full", new TrainingConfig(),
        "resnet18_cifar, 15 epochs of batch 256, lr 0.1: about 95% Fashion-MNIST test top-1");

    /// <summary>
    /// resnet10_cifar_w8 (one basic block per stage at 8-16-32-64 channels, 78 thousand parameters for one input
    /// channel), 5 epochs of batch 128 at lr 0.2, no random erasing, a progress report every 10 steps (a loss read-back
    /// costs nothing on a CPU, and the display shows speed and time left within seconds), everything else as <see cref="Full"/>.
    /// On a 2-core CPU, small batches are faster per image than large ones (libtorch's fallback convolution without
    /// oneDNN materialises im2col buffers), and a small net makes the larger step count affordable.
    /// </summary>
    public static TrainingRecipe Cpu { get; } = new("cpu", new TrainingConfig
    {
        Model = "resnet10_cifar_w8",
        Augmentation = new AugmentationConfig { ErasingProbability = 0 },
        Optimization = new OptimizationConfig { BatchSize = 128, LearningRate = 0.2 },
        Schedule = new ScheduleConfig { Epochs = 5 },
        Run = new RunConfig { LogEvery = 10 },
    }, "resnet10_cifar_w8, 5 epochs of batch 128, lr 0.2: about 91% Fashion-MNIST test top-1, a CPU-sized job");

    /// <summary>The recipe <paramref name="kind"/> names; <see cref="RecipeKind.Auto"/> picks by <paramref name="device"/> (a CUDA device: full, else cpu).</summary>
    public static TrainingRecipe For(RecipeKind kind, Device device) => kind switch
    {
        RecipeKind.Auto => device.type == DeviceType.CUDA ? Full : Cpu,
        RecipeKind.Full => Full,
        RecipeKind.Cpu => Cpu,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "expected auto, full or cpu."),
    };
}
