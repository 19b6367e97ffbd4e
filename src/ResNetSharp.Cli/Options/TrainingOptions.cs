using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Options;

/// <summary>The options train and finetune share; each overrides the command's defaults or a --config file.</summary>
public sealed class TrainingOptions(TrainingConfig defaults)
{
    private readonly Option<FileInfo?> _config = new("--config") { Description = "JSON training config; options given on the command line override it" };
    private readonly Option<string?> _model = new("--model", "-m") { Description = $"Catalog model or spec .json (default {defaults.Model})" };
    private readonly Option<string?> _dataset = new("--dataset") { Description = $"{string.Join(", ", DatasetCatalog.Names)}, or a folder with train/ and val/ class folders (default {defaults.Dataset})" };
    private readonly Option<int?> _epochs = new("--epochs") { Description = $"Epochs (default {defaults.Epochs})" };
    private readonly Option<int?> _batch = new("--batch-size", "-b") { Description = $"Images per step (default {defaults.BatchSize})" };
    private readonly Option<OptimizerKind?> _optimizer = new("--optimizer") { Description = $"sgd (Nesterov) or adamw (default {defaults.Optimizer.ToString().ToLowerInvariant()})" };
    private readonly Option<double?> _lr = new("--lr") { Description = $"Peak learning rate (default {defaults.LearningRate})" };
    private readonly Option<double?> _weightDecay = new("--weight-decay") { Description = $"Weight decay (default {defaults.WeightDecay}; not on norms and biases)" };
    private readonly Option<ScheduleKind?> _schedule = new("--schedule") { Description = $"onecycle, cosine, multistep or constant (default {defaults.Schedule.ToString().ToLowerInvariant()})" };
    private readonly Option<double?> _warmup = new("--warmup-epochs") { Description = "Warm-up epochs" };
    private readonly Option<double?> _smoothing = new("--label-smoothing") { Description = $"Label smoothing (default {defaults.LabelSmoothing})" };
    private readonly Option<double?> _clip = new("--clip-grad") { Description = "Clip the gradient norm (0: off)" };
    private readonly Option<double?> _erasing = new("--erasing") { Description = $"Random-erasing probability (default {defaults.ErasingProbability})" };
    private readonly Option<int?> _cropPadding = new("--crop-padding") { Description = $"Random-crop padding in pixels (default {defaults.CropPadding})" };
    private readonly Option<bool> _noFlip = new("--no-flip") { Description = "No random horizontal flips" };
    private readonly Option<double?> _mixup = new("--mixup") { Description = "Mixup alpha (0: off)" };
    private readonly Option<double?> _cutmix = new("--cutmix") { Description = "CutMix alpha (0: off); with --mixup, each batch uses one of them" };
    private readonly Option<string?> _precision = new("--precision") { Description = $"fp32, bf16 or fp16 compute (fp32 weights, norms and loss; fp16 with dynamic loss scaling) (default {defaults.Precision.ToName()})" };
    private readonly Option<bool> _channelsLast = new("--channels-last") { Description = "NHWC memory layout for inputs and convolution weights" };
    private readonly Option<bool> _noAutotune = new("--no-cudnn-autotune") { Description = "Do not let cuDNN time and pick convolution algorithms" };
    private readonly Option<double?> _ema = new("--ema") { Description = "Keep an exponential moving average of the weights with this decay (e.g. 0.999), evaluated and saved as ema.safetensors" };
    private readonly Option<double?> _dropPath = new("--drop-path") { Description = "Stochastic depth rate" };
    private readonly Option<GrayscaleMode?> _grayscale = new("--grayscale") { Description = $"oneChannelModel or repeatChannels (default {defaults.Grayscale})" };
    private readonly Option<int?> _seed = new("--seed") { Description = "Seed (default 0)" };
    private readonly Option<int?> _trainLimit = new("--train-limit") { Description = "Use only the first N training images (smoke runs)" };
    private readonly Option<int?> _testLimit = new("--test-limit") { Description = "Use only the first N test images" };
    private readonly Option<int?> _checkpointEvery = new("--checkpoint-every") { Description = "Also checkpoint every N steps" };
    private readonly Option<int?> _logEvery = new("--log-every") { Description = $"Log every N steps (default {defaults.LogEvery})" };
    private readonly Option<double?> _targetTop1 = new("--target-top1") { Description = "Stop once an epoch's test top-1 (of the weights or, with --ema, their average) reaches this fraction, e.g. 0.95" };
    private readonly Option<bool> _tta = new("--tta") { Description = "Flip test-time augmentation at evaluation" };
    private readonly Option<int?> _imageSize = new("--image-size") { Description = $"Image-folder images are resized and centre-cropped to this (default {defaults.ImageSize})" };
    private readonly Option<bool> _inMemoryImages = new("--in-memory-images") { Description = "Image folders: load training images once (resize, centre crop) and augment with padded crops, instead of streaming random-resized crops" };
    private readonly Option<bool> _skipBadImages = new("--skip-bad-images") { Description = "Skip image files that do not decode and list them, instead of failing" };

    /// <summary>--data-dir</summary>
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Folder holding the dataset files" };

    /// <summary>--download</summary>
    public Option<bool> Download { get; } = new("--download") { Description = "Download the dataset (verified by its published MD5) if it is not found" };

    /// <summary>--device</summary>
    public Option<string> Device { get; } = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };

    /// <summary>--output</summary>
    public Option<string?> Output { get; } = new("--output", "-o") { Description = "Run folder (default runs/MODEL-DATASET)" };

    /// <summary>--resume</summary>
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue the run in the output folder" };

    /// <summary>--force</summary>
    public Option<bool> Force { get; } = new("--force") { Description = "Resume even if the configuration changed" };

    /// <summary>--quiet</summary>
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Only epoch lines and the summary" };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _config, _model, _dataset, DataDir, Download, _epochs, _batch, _optimizer, _lr, _weightDecay,
                     _schedule, _warmup, _smoothing, _clip, _erasing, _cropPadding, _noFlip, _mixup, _cutmix, _precision, _channelsLast, _noAutotune, _ema, _dropPath, _grayscale, _seed, _trainLimit,
                     _testLimit, _checkpointEvery, _logEvery, _targetTop1, _tta, _imageSize, _inMemoryImages, _skipBadImages, Device, Output, Resume, Force, Quiet })
            command.Add(option);
    }

    /// <summary>Whether the command line picks the model itself: --model, or a --config file (which may name one).</summary>
    public bool ChoosesModel(ParseResult parsed) => parsed.GetValue(_model) is not null || parsed.GetValue(_config) is not null;

    /// <summary>The defaults, then the --config file, then the command line.</summary>
    public TrainingConfig Resolve(ParseResult parsed)
    {
        var file = parsed.GetValue(_config);
        var settings = file is null ? defaults
            : TrainingConfig.FromJson(IO.InputFile.ReadAllText(file.FullName, "--config file", 16 << 20), file.FullName);
        T Pick<T>(Option<T?> option, T current) where T : struct => parsed.GetValue(option) ?? current;
        return settings with
        {
            Model = parsed.GetValue(_model) ?? settings.Model,
            Dataset = parsed.GetValue(_dataset) ?? settings.Dataset,
            Epochs = Pick(_epochs, settings.Epochs),
            BatchSize = Pick(_batch, settings.BatchSize),
            Optimizer = Pick(_optimizer, settings.Optimizer),
            LearningRate = Pick(_lr, settings.LearningRate),
            WeightDecay = Pick(_weightDecay, settings.WeightDecay),
            Schedule = Pick(_schedule, settings.Schedule),
            WarmupEpochs = Pick(_warmup, settings.WarmupEpochs),
            LabelSmoothing = Pick(_smoothing, settings.LabelSmoothing),
            GradientClip = Pick(_clip, settings.GradientClip),
            ErasingProbability = Pick(_erasing, settings.ErasingProbability),
            CropPadding = Pick(_cropPadding, settings.CropPadding),
            HorizontalFlip = settings.HorizontalFlip && !parsed.GetValue(_noFlip),
            MixupAlpha = Pick(_mixup, settings.MixupAlpha),
            CutmixAlpha = Pick(_cutmix, settings.CutmixAlpha),
            Precision = parsed.GetValue(_precision) is { } precision ? PrecisionNames.Parse(precision) : settings.Precision,
            ChannelsLast = settings.ChannelsLast || parsed.GetValue(_channelsLast),
            CudnnAutotune = settings.CudnnAutotune && !parsed.GetValue(_noAutotune),
            EmaDecay = Pick(_ema, settings.EmaDecay),
            DropPathRate = Pick(_dropPath, settings.DropPathRate),
            Grayscale = Pick(_grayscale, settings.Grayscale),
            Seed = Pick(_seed, settings.Seed),
            TrainLimit = Pick(_trainLimit, settings.TrainLimit),
            TestLimit = Pick(_testLimit, settings.TestLimit),
            CheckpointEvery = Pick(_checkpointEvery, settings.CheckpointEvery),
            LogEvery = Pick(_logEvery, settings.LogEvery),
            TargetTop1 = Pick(_targetTop1, settings.TargetTop1),
            FlipTestTimeAugmentation = settings.FlipTestTimeAugmentation || parsed.GetValue(_tta),
            ImageSize = Pick(_imageSize, settings.ImageSize),
            SkipBadImages = settings.SkipBadImages || parsed.GetValue(_skipBadImages),
            InMemoryImages = settings.InMemoryImages || parsed.GetValue(_inMemoryImages),
        };
    }
}
