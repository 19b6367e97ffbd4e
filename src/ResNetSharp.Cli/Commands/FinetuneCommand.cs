using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet finetune: starts from a weight file (safetensors or torchvision .pth), replaces the classifier
/// for the new classes, optionally freezes parts and unfreezes them later, with a smaller learning
/// rate for the backbone. Everything else is resnet train.
/// </summary>
public static class FinetuneCommand
{
    /// <summary>Transfer-learning defaults: ImageNet-pretrained resnet18, short cosine schedule, gentler backbone.</summary>
    public static TrainingConfig Defaults { get; } = new()
    {
        Model = "resnet18",
        Epochs = 10,
        BatchSize = 64,
        LearningRate = 0.01,
        WeightDecay = 1e-4,
        Schedule = ScheduleKind.Cosine,
        Grayscale = GrayscaleMode.RepeatChannels,
        CropPadding = 16,
        ErasingProbability = 0,
        BackboneLearningRateScale = 0.1,
    };

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var options = new TrainingOptions(Defaults);
        var weights = new Option<FileInfo>("--weights", "-w") { Description = "Pretrained weights (safetensors or .pth), a run folder for its best.safetensors, or registered weights (MODEL:TAG, e.g. resnet50:IMAGENET1K_V2)", Required = true };
        var freeze = new Option<string[]>("--freeze") { Description = "Parts to freeze: backbone, stem, layer1..layer4 (repeatable)", AllowMultipleArgumentsPerToken = true };
        var unfreezeAt = new Option<int?>("--unfreeze-at") { Description = "Unfreeze everything from this epoch (0-based; default: never)" };
        var backboneScale = new Option<double?>("--backbone-lr-scale") { Description = $"Backbone learning rate as a fraction of the head's (default {Defaults.BackboneLearningRateScale})" };
        var command = new Command("finetune", "Fine-tune pretrained weights on new classes (image folders included)");
        options.AddTo(command);
        command.Add(weights);
        command.Add(freeze);
        command.Add(unfreezeAt);
        command.Add(backboneScale);
        command.SetAction(parsed =>
        {
            string file = WeightsArgument.Resolve(parsed.GetValue(weights)!);
            var settings = options.Resolve(parsed);
            // Weights trained by resnet name their model: fine-tune that one unless the command line picks another.
            if (!options.ChoosesModel(parsed) && WeightsModel.FromMetadata(WeightFile.ReadMetadata(file), file) is var (name, _)
                && ModelCatalog.Contains(name))
                settings = settings with { Model = name };
            settings = settings with
            {
                InitialWeights = file,
                Freeze = parsed.GetValue(freeze) ?? [],
                UnfreezeAtEpoch = parsed.GetValue(unfreezeAt) ?? 0,
                BackboneLearningRateScale = parsed.GetValue(backboneScale) ?? Defaults.BackboneLearningRateScale,
            };
            return TrainingRun.Execute(parsed, options, settings, output);
        });
        return command;
    }
}
