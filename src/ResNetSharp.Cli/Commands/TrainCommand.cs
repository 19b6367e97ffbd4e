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
        var options = new TrainingOptions(new TrainingConfig());
        var command = new Command("train", "Train a model (one classifier, or heads from a CSV manifest); checkpoints and metrics go to the run folder");
        options.AddTo(command);
        command.SetAction(parsed => TrainingRun.Execute(parsed, options, options.Resolve(parsed), output));
        return command;
    }
}
