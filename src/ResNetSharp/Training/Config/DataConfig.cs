namespace ResNetSharp.Training;

/// <summary>Where a run's images and labels come from and how they are read.</summary>
public sealed record DataConfig
{
    /// <summary>Dataset name (see DatasetCatalog) or a folder with train/ and val/ class folders; unused with <see cref="Manifest"/>.</summary>
    public string Dataset { get; init; } = "fashion-mnist";

    /// <summary>CSV manifest of the training images: a <c>path</c> column (relative to the file) and one column per head.</summary>
    public string? Manifest { get; init; }

    /// <summary>CSV manifest of the validation images (required with <see cref="Manifest"/>).</summary>
    public string? ValidationManifest { get; init; }

    /// <summary>How grayscale images meet the model.</summary>
    public GrayscaleMode Grayscale { get; init; } = GrayscaleMode.OneChannelModel;

    /// <summary>Side of the square images read from image folders and manifests.</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>
    /// Image folders and manifests: decode the training images once into memory (resized and centre-cropped)
    /// and augment with padded random crops, instead of streaming them with random-resized crops.
    /// </summary>
    public bool InMemoryImages { get; init; }

    /// <summary>Skip image files that do not decode (listed at the end) instead of failing.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>
    /// Per-channel mean the images are normalised with, on the 0..1 scale (null: the dataset's own, or
    /// ImageNet's for image folders and manifests); e.g. CIFAR-10's [0.4914, 0.4822, 0.4465].
    /// </summary>
    public IReadOnlyList<double>? Mean { get; init; }

    /// <summary>Per-channel standard deviation the images are divided by after the mean (null: as <see cref="Mean"/>).</summary>
    public IReadOnlyList<double>? Std { get; init; }

    /// <summary>
    /// Built-in datasets: resize the images to this side (0 = as stored), bilinearly on the training device
    /// batch by batch, as torchvision's Resize on uint8 tensors (e.g. 224 for an ImageNet-sized model).
    /// </summary>
    public int Resize { get; init; }

    /// <summary>Use only the first N training images (0 = all): for smoke runs.</summary>
    public int TrainLimit { get; init; }

    /// <summary>Use only the first N test images (0 = all).</summary>
    public int TestLimit { get; init; }

    internal void Validate(string path)
    {
        ConfigException.Require(Dataset is { Length: > 0 }, $"{path}.dataset", Dataset, "a dataset name or folder");
        ConfigException.Require(Manifest is null == ValidationManifest is null, $"{path}.validationManifest", ValidationManifest,
            "a validation manifest exactly when there is a training manifest");
        ConfigException.Require(Enum.IsDefined(Grayscale), $"{path}.grayscale", Grayscale, "oneChannelModel or repeatChannels");
        ConfigException.Require(ImageSize is >= 8 and <= 4096, $"{path}.imageSize", ImageSize, "8 to 4096");
        ConfigException.Require(Mean is null || (Mean.Count is >= 1 and <= 4 && Mean.All(double.IsFinite)), $"{path}.mean", Show(Mean),
            "1 to 4 finite numbers, one per channel");
        ConfigException.Require(Std is null || (Std.Count is >= 1 and <= 4 && Std.All(s => s > 0 && double.IsFinite(s))), $"{path}.std", Show(Std),
            "1 to 4 positive numbers, one per channel");
        ConfigException.Require(Mean is null || Std is null || Mean.Count == Std.Count, $"{path}.std", Show(Std), $"as many values as {path}.mean");
        ConfigException.Require(Resize is >= 0 and <= 4096, $"{path}.resize", Resize, "0 (as stored) or a side of 1 to 4096");
        ConfigException.Require(Resize == 0 || (Manifest is null && !Directory.Exists(Dataset)), $"{path}.resize", Resize,
            $"0 for image folders and manifests, which {path}.imageSize sizes");
        ConfigException.Require(TrainLimit >= 0, $"{path}.trainLimit", TrainLimit, "0 (all) or more");
        ConfigException.Require(TestLimit >= 0, $"{path}.testLimit", TestLimit, "0 (all) or more");
    }

    private static string Show(IReadOnlyList<double>? values) =>
        values is null ? "null" : $"[{string.Join(", ", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>Augmentation of training batches, and the regularisation that goes with it.</summary>
public sealed record AugmentationConfig
{
    /// <summary>Largest padding of the random crop.</summary>
    public const int MaxCropPadding = 256;

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

    /// <summary>Label smoothing of classification heads' cross-entropy.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Stochastic depth rate (overrides the model spec's).</summary>
    public double DropPathRate { get; init; }

    internal void Validate(string path)
    {
        ConfigException.Require(CropPadding is >= 0 and <= MaxCropPadding, $"{path}.cropPadding", CropPadding, $"0 to {MaxCropPadding}");
        ConfigException.Require(ErasingProbability is >= 0 and <= 1, $"{path}.erasingProbability", ErasingProbability, "a probability");
        ConfigException.Require(MixupAlpha is >= 0 and <= 100, $"{path}.mixupAlpha", MixupAlpha, "0 (off) to 100");
        ConfigException.Require(CutmixAlpha is >= 0 and <= 100, $"{path}.cutmixAlpha", CutmixAlpha, "0 (off) to 100");
        ConfigException.Require(LabelSmoothing is >= 0 and < 1, $"{path}.labelSmoothing", LabelSmoothing, "in [0, 1)");
        ConfigException.Require(DropPathRate is >= 0 and < 1, $"{path}.dropPathRate", DropPathRate, "in [0, 1)");
    }
}
