using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetSharp.Data;

namespace ResNetSharp.Training;

/// <summary>Optimisers.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (Nesterov by default).</summary>
    Sgd,

    /// <summary>AdamW.</summary>
    AdamW,
}

/// <summary>
/// Everything that defines a training run. The defaults train resnet18_cifar on Fashion-MNIST to about
/// 95% test accuracy; a checkpoint stores the config, and a resume refuses a different one.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>Catalog model name.</summary>
    public string Model { get; init; } = "resnet18_cifar";

    /// <summary>Dataset name (see DatasetCatalog).</summary>
    public string Dataset { get; init; } = "fashion-mnist";

    /// <summary>How grayscale images meet the model.</summary>
    public GrayscaleMode Grayscale { get; init; } = GrayscaleMode.OneChannelModel;

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum for SGD.</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>Weight decay (L2 for SGD, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Apply weight decay to norm parameters and biases too.</summary>
    public bool DecayNormsAndBiases { get; init; }

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneCycle;

    /// <summary>Warm-up epochs (fractional allowed); OneCycle with 0 warms up over 30% of the run.</summary>
    public double WarmupEpochs { get; init; }

    /// <summary>Label smoothing of the cross-entropy loss.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Clip the global gradient norm to this; 0 = off.</summary>
    public double GradientClip { get; init; }

    /// <summary>Padding of the random crop; 0 = no crop.</summary>
    public int CropPadding { get; init; } = 2;

    /// <summary>Random horizontal flips.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Random erasing probability.</summary>
    public double ErasingProbability { get; init; } = 0.25;

    /// <summary>Mixup strength α (λ ~ Beta(α, α)); 0 = off.</summary>
    public double MixupAlpha { get; init; }

    /// <summary>CutMix strength α; 0 = off. With mixup also on, each batch uses one of the two.</summary>
    public double CutmixAlpha { get; init; }

    /// <summary>Compute precision of convolutions and linear layers (weights, norms and loss stay float32).</summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>NHWC memory layout for inputs, activations and convolution weights.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Let cuDNN time its convolution algorithms per shape and keep the fastest (GPU only).</summary>
    public bool CudnnAutotune { get; init; } = true;

    /// <summary>Keep an exponential moving average of the weights with this decay (e.g. 0.999), evaluated and saved separately; 0 = off.</summary>
    public double EmaDecay { get; init; }

    /// <summary>Stochastic depth rate (overrides the model spec's).</summary>
    public double DropPathRate { get; init; }

    /// <summary>Seed of weights, shuffling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>Use only the first N training images (0 = all): for smoke runs.</summary>
    public int TrainLimit { get; init; }

    /// <summary>Use only the first N test images (0 = all).</summary>
    public int TestLimit { get; init; }

    /// <summary>Write a checkpoint every N steps as well as at each epoch end (0 = epochs only).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Log the training loss every N steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Stop as soon as an epoch's test top-1 (of the weights, or of their average with <see cref="EmaDecay"/>) reaches this fraction (e.g. 0.95); 0 = run all epochs.</summary>
    public double TargetTop1 { get; init; }

    /// <summary>Average logits with the mirrored images at evaluation.</summary>
    public bool FlipTestTimeAugmentation { get; init; }

    /// <summary>Weights to start from (safetensors or .pth); the classifier is replaced when the class count differs.</summary>
    public string? InitialWeights { get; init; }

    /// <summary>Parts to freeze (stem, layer1..layerN, or "backbone" for everything but the classifier).</summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];

    /// <summary>Unfreeze everything from this epoch on (0: keep frozen).</summary>
    public int UnfreezeAtEpoch { get; init; }

    /// <summary>Learning rate of everything but the classifier, as a fraction of the classifier's.</summary>
    public double BackboneLearningRateScale { get; init; } = 1.0;

    /// <summary>Side of the square images read from image folders.</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>
    /// Image folders: decode the training images once into memory (resized and centre-cropped) and
    /// augment with padded random crops, instead of streaming them with random-resized crops.
    /// </summary>
    public bool InMemoryImages { get; init; }

    /// <summary>Skip image files that do not decode (listed at the end) instead of failing.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Checks every field; throws an <see cref="ArgumentException"/> naming the bad one.</summary>
    public TrainingConfig Validate()
    {
        void Require(bool ok, string field, string expected, object value)
        {
            if (!ok)
                throw new ArgumentException($"training option {field} is {value}; expected {expected}.", field);
        }
        Require(Epochs >= 1, "epochs", "1 or more", Epochs);
        Require(BatchSize >= 1, "batch-size", "1 or more", BatchSize);
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "lr", "a positive number", LearningRate);
        Require(Momentum is >= 0 and < 1, "momentum", "in [0, 1)", Momentum);
        Require(WeightDecay >= 0, "weight-decay", "0 or more", WeightDecay);
        Require(WarmupEpochs >= 0 && WarmupEpochs < Epochs, "warmup-epochs", "0 or more and fewer than the epochs", WarmupEpochs);
        Require(LabelSmoothing is >= 0 and < 1, "label-smoothing", "in [0, 1)", LabelSmoothing);
        Require(GradientClip >= 0, "clip-grad", "0 (off) or more", GradientClip);
        Require(CropPadding >= 0, "crop-padding", "0 or more", CropPadding);
        Require(ErasingProbability is >= 0 and <= 1, "erasing", "a probability", ErasingProbability);
        Require(MixupAlpha is >= 0 and <= 100, "mixup", "0 (off) to 100", MixupAlpha);
        Require(CutmixAlpha is >= 0 and <= 100, "cutmix", "0 (off) to 100", CutmixAlpha);
        Require(Enum.IsDefined(Precision), "precision", "fp32, bf16 or fp16", Precision);
        Require(EmaDecay == 0 || EmaDecay is > 0 and < 1, "ema", "0 (off) or a decay in (0, 1)", EmaDecay);
        Require(DropPathRate is >= 0 and < 1, "drop-path", "in [0, 1)", DropPathRate);
        Require(TrainLimit >= 0 && TestLimit >= 0, "train-limit/test-limit", "0 (all) or more", $"{TrainLimit}/{TestLimit}");
        Require(CheckpointEvery >= 0, "checkpoint-every", "0 or more", CheckpointEvery);
        Require(TargetTop1 is >= 0 and <= 1, "target-top1", "0 (off) or a fraction up to 1", TargetTop1);
        Require(LogEvery >= 1, "log-every", "1 or more", LogEvery);
        Require(UnfreezeAtEpoch >= 0, "unfreeze-at", "0 (never) or more", UnfreezeAtEpoch);
        Require(BackboneLearningRateScale is >= 0 and <= 1e3, "backbone-lr-scale", "0 or more", BackboneLearningRateScale);
        Require(ImageSize is >= 8 and <= 4096, "image-size", "8 to 4096", ImageSize);
        return this;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>The config as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a config file's JSON; unknown fields and bad values name <paramref name="source"/> and the field.</summary>
    public static TrainingConfig FromJson(string json, string source)
    {
        try
        {
            return (JsonSerializer.Deserialize<TrainingConfig>(json, JsonOptions) ?? new TrainingConfig()).Validate();
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: invalid training config{(e.Path is null ? "" : " at " + e.Path)}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Fields that differ from <paramref name="other"/>, as "name: this -> other".</summary>
    public IReadOnlyList<string> Differences(TrainingConfig other)
    {
        var mine = JsonSerializer.SerializeToElement(this, JsonOptions);
        var theirs = JsonSerializer.SerializeToElement(other, JsonOptions);
        return mine.EnumerateObject()
            .Where(p => p.Value.GetRawText() != theirs.GetProperty(p.Name).GetRawText())
            .Select(p => $"{p.Name}: {p.Value.GetRawText()} -> {theirs.GetProperty(p.Name).GetRawText()}")
            .ToList();
    }
}
