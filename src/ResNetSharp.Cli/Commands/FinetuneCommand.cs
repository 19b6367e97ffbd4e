using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet finetune: starts from a weight file (safetensors or torchvision .pth), keeps the backbone and
/// makes new heads where the file's do not fit (a new classifier for new classes, or new named heads),
/// optionally freezes parts and unfreezes them later, with a smaller learning rate for the backbone.
/// Everything else is resnet train.
/// </summary>
public static class FinetuneCommand
{
    /// <summary>Transfer-learning defaults: ImageNet-pretrained resnet18, short cosine schedule, gentler backbone.</summary>
    public static TrainingConfig Defaults { get; } = new()
    {
        Model = "resnet18",
        Data = new DataConfig { Grayscale = GrayscaleMode.RepeatChannels },
        Augmentation = new AugmentationConfig { CropPadding = 16, ErasingProbability = 0 },
        Optimization = new OptimizationConfig { BatchSize = 64, LearningRate = 0.01, WeightDecay = 1e-4 },
        Schedule = new ScheduleConfig { Epochs = 10, Kind = ScheduleKind.Cosine },
        Transfer = new TransferConfig { BackboneLearningRateScale = 0.1 },
    };

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var options = new TrainingOptions(Defaults);
        var weights = new Option<FileInfo>("--weights", "-w") { Description = "Pretrained weights (safetensors or .pth), a run folder for its best.safetensors, or registered weights (MODEL:TAG, e.g. resnet50:IMAGENET1K_V2)", Required = true };
        var command = new Command("finetune", "Fine-tune pretrained weights on new classes or new heads (image folders and manifests included)");
        options.AddTo(command);
        command.Add(weights);
        command.SetAction(parsed =>
        {
            string file = WeightsArgument.Resolve(parsed.GetValue(weights)!);
            // Weights trained by resnet name their model: fine-tune that one unless the command line picks another.
            string? named = !options.ChoosesModel(parsed) && WeightsModel.FromMetadata(WeightFile.ReadMetadata(file), file) is var (name, _)
                && ModelCatalog.Contains(name) ? name : null;
            var settings = options.Resolve(parsed, config => config with
            {
                Model = named ?? config.Model,
                Transfer = config.Transfer with { InitialWeights = file },
            });
            return TrainingRun.Execute(parsed, options, settings, output);
        });
        return command;
    }
}
