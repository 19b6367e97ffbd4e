using System.CommandLine;
using ResNetSharp.Cli.Output;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet curves: several runs' training and test error against iterations in one figure (the degradation plot).</summary>
public static class CurvesCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders (each with the metrics.jsonl of resnet train)", Arity = ArgumentArity.OneOrMore };
        var file = new Option<string>("--output", "-o") { Description = "PNG file to write", Required = true };
        var title = new Option<string>("--title") { Description = "Figure title", DefaultValueFactory = _ => "Training (dashed) and test (bold) error" };
        var command = new Command("curves", "Plot runs' training and test error against iterations in one figure") { runs, file, title };
        command.SetAction(parsed =>
        {
            var folders = parsed.GetValue(runs)!;
            foreach (var folder in folders)
                if (!Directory.Exists(folder))
                    throw new UsageException($"run folder '{folder}' does not exist.");
            string path = parsed.GetValue(file)!;
            if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--output is '{path}'; expected a .png file.");
            var curves = folders.Select(ErrorCurve.Read).ToList();
            ErrorCurve.Draw(curves, path, parsed.GetValue(title)!);
            foreach (var curve in curves)
                output.WriteLine($"{curve.Name}: {curve.Iterations.Length} epochs, {curve.Iterations[^1]:N0} iterations, " +
                    $"final test error {curve.TestError[^1]:P2}" + (double.IsFinite(curve.TrainError[^1]) ? $", training error {curve.TrainError[^1]:P2}" : ""));
            output.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }
}
