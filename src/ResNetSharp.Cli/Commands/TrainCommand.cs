using System.CommandLine;
using System.Runtime.InteropServices;
using ResNetSharp.Cli.Output;
using ResNetSharp.Data;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet train: trains a model on a dataset, with checkpoints, metrics and exact resume.</summary>
public static class TrainCommand
{
    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (after saving).</summary>
    public const int Interrupted = 130;

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var defaults = new TrainingConfig();
        var config = new Option<FileInfo?>("--config") { Description = "JSON training config; options given on the command line override it" };
        var model = new Option<string?>("--model", "-m") { Description = $"Catalog model or spec .json (default {defaults.Model})" };
        var dataset = new Option<string?>("--dataset") { Description = $"Dataset: {string.Join(", ", DatasetCatalog.Names)} (default {defaults.Dataset})" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the dataset files" };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs (default {defaults.Epochs})" };
        var batch = new Option<int?>("--batch-size", "-b") { Description = $"Images per step (default {defaults.BatchSize})" };
        var optimizer = new Option<OptimizerKind?>("--optimizer") { Description = "sgd or adamw (default sgd, Nesterov)" };
        var lr = new Option<double?>("--lr") { Description = $"Peak learning rate (default {defaults.LearningRate})" };
        var weightDecay = new Option<double?>("--weight-decay") { Description = $"Weight decay (default {defaults.WeightDecay}; not on norms and biases)" };
        var schedule = new Option<ScheduleKind?>("--schedule") { Description = "onecycle, cosine, multistep or constant (default onecycle)" };
        var warmup = new Option<double?>("--warmup-epochs") { Description = "Warm-up epochs" };
        var smoothing = new Option<double?>("--label-smoothing") { Description = $"Label smoothing (default {defaults.LabelSmoothing})" };
        var clip = new Option<double?>("--clip-grad") { Description = "Clip the gradient norm (0: off)" };
        var erasing = new Option<double?>("--erasing") { Description = $"Random-erasing probability (default {defaults.ErasingProbability})" };
        var cropPadding = new Option<int?>("--crop-padding") { Description = $"Random-crop padding in pixels (default {defaults.CropPadding})" };
        var noFlip = new Option<bool>("--no-flip") { Description = "No random horizontal flips" };
        var dropPath = new Option<double?>("--drop-path") { Description = "Stochastic depth rate" };
        var grayscale = new Option<GrayscaleMode?>("--grayscale") { Description = "oneChannelModel (default) or repeatChannels" };
        var seed = new Option<int?>("--seed") { Description = "Seed (default 0)" };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training images (smoke runs)" };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test images" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Also checkpoint every N steps" };
        var logEvery = new Option<int?>("--log-every") { Description = $"Log every N steps (default {defaults.LogEvery})" };
        var tta = new Option<bool>("--tta") { Description = "Flip test-time augmentation at evaluation" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var outputFolder = new Option<string?>("--output", "-o") { Description = "Run folder (default runs/MODEL-DATASET)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in the output folder" };
        var force = new Option<bool>("--force") { Description = "Resume even if the configuration changed" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only epoch lines and the summary" };

        var command = new Command("train", "Train a model; checkpoints, metrics and plots go to the run folder");
        foreach (var option in new Option[] { config, model, dataset, dataDir, epochs, batch, optimizer, lr, weightDecay, schedule, warmup,
                     smoothing, clip, erasing, cropPadding, noFlip, dropPath, grayscale, seed, trainLimit, testLimit, checkpointEvery,
                     logEvery, tta, device, outputFolder, resume, force, quiet })
            command.Add(option);

        command.SetAction(parsed =>
        {
            var file = parsed.GetValue(config);
            var settings = file is null ? new TrainingConfig()
                : file.Exists ? TrainingConfig.FromJson(File.ReadAllText(file.FullName), file.FullName)
                : throw new FileNotFoundException($"--config file not found: {file.FullName}", file.FullName);
            T Pick<T>(Option<T?> option, T current) where T : struct => parsed.GetValue(option) ?? current;
            string PickText(Option<string?> option, string current) => parsed.GetValue(option) ?? current;
            settings = settings with
            {
                Model = PickText(model, settings.Model),
                Dataset = PickText(dataset, settings.Dataset),
                Epochs = Pick(epochs, settings.Epochs),
                BatchSize = Pick(batch, settings.BatchSize),
                Optimizer = Pick(optimizer, settings.Optimizer),
                LearningRate = Pick(lr, settings.LearningRate),
                WeightDecay = Pick(weightDecay, settings.WeightDecay),
                Schedule = Pick(schedule, settings.Schedule),
                WarmupEpochs = Pick(warmup, settings.WarmupEpochs),
                LabelSmoothing = Pick(smoothing, settings.LabelSmoothing),
                GradientClip = Pick(clip, settings.GradientClip),
                ErasingProbability = Pick(erasing, settings.ErasingProbability),
                CropPadding = Pick(cropPadding, settings.CropPadding),
                HorizontalFlip = settings.HorizontalFlip && !parsed.GetValue(noFlip),
                DropPathRate = Pick(dropPath, settings.DropPathRate),
                Grayscale = Pick(grayscale, settings.Grayscale),
                Seed = Pick(seed, settings.Seed),
                TrainLimit = Pick(trainLimit, settings.TrainLimit),
                TestLimit = Pick(testLimit, settings.TestLimit),
                CheckpointEvery = Pick(checkpointEvery, settings.CheckpointEvery),
                LogEvery = Pick(logEvery, settings.LogEvery),
                FlipTestTimeAugmentation = settings.FlipTestTimeAugmentation || parsed.GetValue(tta),
            };
            settings.Validate();
            string folder = parsed.GetValue(outputFolder) ?? Path.Combine("runs", $"{Path.GetFileNameWithoutExtension(settings.Model)}-{settings.Dataset}");
            var selectedDevice = DeviceSelection.Parse(parsed.GetValue(device)!);

            var observer = new ConsoleTrainingObserver(output, parsed.GetValue(quiet));
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            try
            {
                var outcome = new Trainer(settings, folder, selectedDevice, parsed.GetValue(dataDir), observer)
                    .Run(parsed.GetValue(resume), parsed.GetValue(force), stop.Token);
                TrainingSummary.Write(output, settings, folder, outcome);
                return outcome.Completed ? 0 : Interrupted;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }
}
