using System.CommandLine;
using System.Text.Json.Nodes;
using ResNetSharp.Data;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// The options train and finetune share, each declared once (flag, config property, help) and read by
/// <see cref="ConfigOption"/>: the command's defaults, then a --config file, then the command line.
/// Library errors name config properties; <see cref="Explain"/> turns them back into these flags.
/// </summary>
public sealed class TrainingOptions
{
    private readonly TrainingConfig _defaults;
    private readonly Option<FileInfo?> _config = new("--config") { Description = "JSON training config (sections data, augmentation, optimization, schedule, precision, transfer, run); options given on the command line override it" };
    private readonly IReadOnlyList<ConfigOption> _options;

    /// <param name="defaults">The command's defaults, shown in the help.</param>
    public TrainingOptions(TrainingConfig defaults)
    {
        _defaults = defaults;
        var d = defaults;
        _options =
        [
            ConfigOption.For("--model", c => c.Model, "Catalog model or spec .json (the backbone)", d, "-m"),
            ConfigOption.Custom("--heads", "heads", "Heads to train, one per manifest column: NAME=classification|regression,... [default: one classifier]",
                text => HeadConfig.ParseList(text, "heads")),
            ConfigOption.For("--dataset", c => c.Data.Dataset, $"{string.Join(", ", DatasetCatalog.Names)}, or a folder with train/ and val/ class folders", d),
            ConfigOption.For("--manifest", c => c.Data.Manifest, "CSV of training images: a path column (relative to the CSV) and a column per head; an empty cell is no label", d),
            ConfigOption.For("--val-manifest", c => c.Data.ValidationManifest, "CSV of validation images, as --manifest", d),
            ConfigOption.For("--grayscale", c => c.Data.Grayscale, "How grayscale images meet the model", d),
            ConfigOption.For("--image-size", c => c.Data.ImageSize, "Image-folder and manifest images are resized and centre-cropped to this", d),
            ConfigOption.For("--in-memory-images", c => c.Data.InMemoryImages, "Image folders and manifests: load images once (resize, centre crop) and augment with padded crops, instead of streaming random-resized crops", d),
            ConfigOption.For("--skip-bad-images", c => c.Data.SkipBadImages, "Skip image files that do not decode and list them, instead of failing", d),
            ConfigOption.Custom("--mean", "data.mean", "Per-channel normalisation mean on the 0..1 scale, comma-separated, e.g. 0.4914,0.4822,0.4465 [default: the dataset's]",
                text => NumberList.Parse(text, "data.mean")),
            ConfigOption.Custom("--std", "data.std", "Per-channel normalisation standard deviation, comma-separated, e.g. 0.2023,0.1994,0.2010 [default: the dataset's]",
                text => NumberList.Parse(text, "data.std")),
            ConfigOption.For("--resize", c => c.Data.Resize, "Built-in datasets: resize images to NxN on the device, bilinear as torchvision's Resize (0: as stored)", d),
            ConfigOption.For("--train-limit", c => c.Data.TrainLimit, "Use only the first N training images (smoke runs; 0: all)", d),
            ConfigOption.For("--test-limit", c => c.Data.TestLimit, "Use only the first N validation images (0: all)", d),
            ConfigOption.For("--crop-padding", c => c.Augmentation.CropPadding, $"Random-crop padding in pixels (0 to {AugmentationConfig.MaxCropPadding})", d),
            ConfigOption.For("--flip", c => c.Augmentation.HorizontalFlip, "Random horizontal flips", d),
            ConfigOption.For("--erasing", c => c.Augmentation.ErasingProbability, "Random-erasing probability", d),
            ConfigOption.For("--mixup", c => c.Augmentation.MixupAlpha, "Mixup alpha (0: off)", d),
            ConfigOption.For("--cutmix", c => c.Augmentation.CutmixAlpha, "CutMix alpha (0: off); with --mixup, each batch uses one of them", d),
            ConfigOption.For("--label-smoothing", c => c.Augmentation.LabelSmoothing, "Label smoothing of classification heads", d),
            ConfigOption.For("--drop-path", c => c.Augmentation.DropPathRate, "Stochastic depth rate", d),
            ConfigOption.For("--optimizer", c => c.Optimization.Optimizer, "Optimizer: sgd (momentum, Nesterov unless --no-nesterov), adam (L2 weight decay, torch.optim.Adam) or adamw (decoupled decay)", d),
            ConfigOption.For("--batch-size", c => c.Optimization.BatchSize, "Images per step", d, "-b"),
            ConfigOption.For("--lr", c => c.Optimization.LearningRate, "Peak learning rate", d),
            ConfigOption.For("--momentum", c => c.Optimization.Momentum, "SGD momentum", d),
            ConfigOption.For("--nesterov", c => c.Optimization.Nesterov, "Nesterov momentum for SGD", d),
            ConfigOption.For("--weight-decay", c => c.Optimization.WeightDecay, "Weight decay (not on norms and biases unless --decay-norms-and-biases)", d),
            ConfigOption.For("--decay-norms-and-biases", c => c.Optimization.DecayNormsAndBiases, "Apply weight decay to norm parameters and biases too", d),
            ConfigOption.For("--clip-grad", c => c.Optimization.GradientClip, "Clip the gradient norm (0: off)", d),
            ConfigOption.For("--ema", c => c.Optimization.EmaDecay, "Keep an exponential moving average of the weights with this decay (e.g. 0.999), evaluated and saved as ema.safetensors (0: off)", d),
            ConfigOption.For("--epochs", c => c.Schedule.Epochs, "Epochs", d),
            ConfigOption.For("--schedule", c => c.Schedule.Kind, "Learning-rate schedule", d),
            ConfigOption.For("--warmup-epochs", c => c.Schedule.WarmupEpochs, "Warm-up epochs", d),
            ConfigOption.Custom("--step-epochs", "schedule.stepEpochs", "Step schedule: epochs at which the rate is multiplied by --gamma, comma-separated (fractions allowed), e.g. 30,60",
                text => NumberList.Parse(text, "schedule.stepEpochs")),
            ConfigOption.Custom("--step-iterations", "schedule.stepIterations", "Step schedule: steps (iterations) at which the rate is multiplied by --gamma, e.g. 32000,48000",
                text => NumberList.ParseIntegers(text, "schedule.stepIterations")),
            ConfigOption.For("--gamma", c => c.Schedule.Gamma, "Step and plateau schedules: factor of each reduction", d),
            ConfigOption.For("--plateau-patience", c => c.Schedule.PlateauPatience, "Plateau schedule: evaluations without improvement of the monitored metric before the rate is reduced", d),
            ConfigOption.For("--precision", c => c.Precision.Compute, "Compute precision of convolutions (fp32 weights, norms, heads and loss; fp16 with dynamic loss scaling)", d),
            ConfigOption.For("--channels-last", c => c.Precision.ChannelsLast, "NHWC memory layout for inputs and convolution weights", d),
            ConfigOption.For("--cudnn-autotune", c => c.Precision.CudnnAutotune, "Let cuDNN time and pick convolution algorithms (GPU)", d),
            ConfigOption.For("--freeze", c => c.Transfer.Freeze, "Parts to freeze: backbone, stem, layer1..layer4, or a head's name (repeatable)", d),
            ConfigOption.For("--unfreeze-at", c => c.Transfer.UnfreezeAtEpoch, "Unfreeze everything after this many epochs (0: never)", d),
            ConfigOption.For("--backbone-lr-scale", c => c.Transfer.BackboneLearningRateScale, "Backbone learning rate as a fraction of the heads'", d),
            ConfigOption.For("--seed", c => c.Run.Seed, "Seed", d),
            ConfigOption.For("--checkpoint-every", c => c.Run.CheckpointEvery, "Also checkpoint every N steps (0: epochs only)", d),
            ConfigOption.For("--log-every", c => c.Run.LogEvery, "Log loss, learning rate and gradient norm every N steps", d),
            ConfigOption.For("--diagnostics", c => c.Run.Diagnostics, "Log each part's gradient norm and dead units every epoch, and warn when gradients collapse or most units are dead", d),
            ConfigOption.Custom("--target", "run.target", "Stop once an epoch's evaluation (of the weights or, with --ema, their average) reaches [HEAD.]METRIC=VALUE, e.g. top1=0.95 or age.mae=4.5",
                text => MetricTarget.Parse(text, "run.target")),
            ConfigOption.Custom("--target-top1", "run.target", "Same as --target top1=VALUE",
                text => MetricTarget.Parse("top1=" + text, "run.target")),
            ConfigOption.For("--tta", c => c.Run.FlipTestTimeAugmentation, "Flip test-time augmentation at evaluation", d),
        ];
    }

    /// <summary>--data-dir</summary>
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Folder holding the dataset files" };

    /// <summary>--download</summary>
    public Option<bool> Download { get; } = new("--download") { Description = "Download the dataset (verified by its published MD5) if it is not found" };

    /// <summary>--device</summary>
    public Option<string> Device { get; } = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };

    /// <summary>--output</summary>
    public Option<string?> Output { get; } = new("--output", "-o") { Description = "Run folder [default: runs/MODEL-DATASET]" };

    /// <summary>--resume</summary>
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue the run in the output folder" };

    /// <summary>--force</summary>
    public Option<bool> Force { get; } = new("--force") { Description = "Resume even if the configuration changed" };

    /// <summary>--quiet</summary>
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Only epoch lines and the summary" };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(_config);
        foreach (var option in _options.SelectMany(o => o.Options))
            command.Add(option);
        foreach (var option in new Option[] { DataDir, Download, Device, Output, Resume, Force, Quiet })
            command.Add(option);
    }

    /// <summary>Whether the command line picks the model itself: --model, or a --config file (which may name one).</summary>
    public bool ChoosesModel(ParseResult parsed) => _options[0].Read(parsed) is not null || parsed.GetValue(_config) is not null;

    /// <summary>
    /// The defaults (the command's, or <paramref name="defaults"/>: a recipe's), then the --config file, then the command line;
    /// checked, with errors naming the flag or the file's property.
    /// </summary>
    public TrainingConfig Resolve(ParseResult parsed, Func<TrainingConfig, TrainingConfig>? adjust = null, TrainingConfig? defaults = null)
    {
        var root = ConfigJson.ToNode(defaults ?? _defaults);
        var file = parsed.GetValue(_config);
        if (file is not null)
        {
            ConfigJson.Merge(root, ConfigJson.Parse(IO.InputFile.ReadAllText(file.FullName, "--config file", 16 << 20), file.FullName));
        }
        foreach (var option in _options)
            if (option.Read(parsed) is { } value)
                Set(root, option.Property, value);
        var config = ConfigJson.FromNode(root, file?.FullName ?? "the command line");
        config = adjust?.Invoke(config) ?? config;
        try
        {
            return config.Validate();
        }
        catch (ConfigException e)
        {
            throw Explain(e, parsed);
        }
    }

    /// <summary>A config error in the command line's terms: the flag when the value came from one, else the config file and property.</summary>
    public Exception Explain(ConfigException error, ParseResult parsed)
    {
        var option = _options.FirstOrDefault(o => o.Property == error.Property && o.Read(parsed) is not null)
            ?? _options.FirstOrDefault(o => o.Property == error.Property && parsed.GetValue(_config) is null);
        if (option is not null)
            return new UsageException($"{option.Flag} is {error.Value}; expected {Flags(error.Expected)}.");
        return parsed.GetValue(_config) is { } file ? new FormatException($"{file.FullName}: {error.Message}", error) : new UsageException(error.Message);
    }

    /// <summary>
    /// Property paths inside an explanation replaced by their flags (e.g. "fewer than schedule.epochs"); only dotted
    /// paths, since a top-level name is also a word ("a metric of the heads" is not about --heads).
    /// </summary>
    private string Flags(string text) =>
        _options.Where(o => o.Property.Contains('.')).OrderByDescending(o => o.Property.Length)
            .Aggregate(text, (current, o) => current.Replace(o.Property, o.Flag, StringComparison.Ordinal));

    private static void Set(JsonObject root, string path, JsonNode value)
    {
        var names = path.Split('.');
        var current = root;
        foreach (var name in names[..^1])
        {
            if (current[name] is not JsonObject next)
                current[name] = next = new JsonObject();
            current = next;
        }
        current[names[^1]] = value;
    }
}
