using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet train: trains a model from scratch, with checkpoints, metrics and exact resume.</summary>
public static class TrainCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var options = new TrainingOptions(TrainingRecipe.Full.Config);
        var recipe = new Option<string>("--recipe")
        {
            Description = "Settings the run starts from, before --config and the options: auto (full on a GPU, cpu without one; " +
                "with --resume, the run's own config.json), " +
                "full (resnet18_cifar, 15 epochs; the defaults shown) or cpu (resnet10_cifar_w8, 5 epochs of 128 at lr 0.2, no erasing)",
            DefaultValueFactory = _ => "auto",
        };
        recipe.AcceptOnlyFromAmong("auto", "full", "cpu");
        var command = new Command("train", "Train a model (one classifier, or heads from a CSV manifest); checkpoints and metrics go to the run folder");
        options.AddTo(command);
        command.Add(recipe);
        command.SetAction(parsed =>
        {
            var device = DeviceSelection.Parse(parsed.GetValue(options.Device)!);
            var kind = Enum.Parse<RecipeKind>(parsed.GetValue(recipe)!, ignoreCase: true);
            var chosen = TrainingRecipe.For(kind, device);
            if (kind == RecipeKind.Auto && parsed.GetValue(options.Resume))
            {
                string folder = TrainingRun.ResumedFolder(parsed, options, options.Resolve(parsed, defaults: chosen.Config));
                if (RunFolder.ReadConfig(folder) is { } saved)
                    return TrainingRun.Execute(parsed, options, options.Resolve(parsed, defaults: saved), output,
                        $"resuming {folder} with its own settings ({RunFolder.ConfigFileName}); options and --config override them");
            }
            return TrainingRun.Execute(parsed, options, options.Resolve(parsed, defaults: chosen.Config), output, RecipeLine(kind, chosen, device), chosen.Name);
        });
        return command;
    }

    /// <summary>The run's first line: which recipe, why, and the flag for the other one.</summary>
    internal static string RecipeLine(RecipeKind kind, TrainingRecipe recipe, TorchSharp.torch.Device device) => (kind, recipe.Name) switch
    {
        (RecipeKind.Auto, "cpu") => $"no GPU: CPU recipe ({recipe.Summary}); --recipe full for the GPU recipe ({TrainingRecipe.Full.Summary})",
        (RecipeKind.Auto, _) => $"GPU {device}: full recipe ({recipe.Summary}); --recipe cpu for the small CPU recipe",
        _ => $"{recipe.Name} recipe ({recipe.Summary})",
    } + "; options and --config override its settings";
}
