using ResNetSharp.Training;
using Spectre.Console;

namespace ResNetSharp.Cli.Output;

/// <summary>
/// The live display of <c>resnet train</c> on a terminal: a bar for the whole run and one for the current
/// epoch, with loss, learning rate, images/s and time left; messages and epoch results scroll above it.
/// </summary>
public sealed class LiveTrainingProgress : TrainingObserver
{
    private readonly IAnsiConsole _console;
    private ProgressTask? _run;
    private ProgressTask? _epoch;

    private LiveTrainingProgress(IAnsiConsole console) => _console = console;

    /// <summary>Runs <paramref name="body"/> with the display live on <paramref name="console"/>, handing it the observer to train with.</summary>
    public static T Run<T>(IAnsiConsole console, Func<TrainingObserver, T> body)
    {
        var live = new LiveTrainingProgress(console);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                live._run = context.AddTask("run", maxValue: 1);
                live._epoch = context.AddTask("epoch", maxValue: 1);
                return body(live);
            });
    }

    /// <inheritdoc />
    public override void Message(string text) => _console.MarkupLine(Markup.Escape(text));

    /// <inheritdoc />
    public override void Warning(string text) => _console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(text)}");

    /// <inheritdoc />
    public override void Step(StepReport r)
    {
        if (_run is null || _epoch is null)
            return;
        _run.MaxValue = r.TotalSteps;
        _run.Value = r.Step + 1;
        _run.Description = $"step {r.Step + 1:N0}/{r.TotalSteps:N0}  loss {r.Loss:F4}  lr {r.LearningRate:G3}  {r.ImagesPerSecond:N0} img/s";
        _epoch.MaxValue = r.StepsPerEpoch;
        _epoch.Value = r.Step + 1 - r.Epoch * r.StepsPerEpoch;
        _epoch.Description = $"epoch {r.Epoch + 1}";
    }

    /// <inheritdoc />
    public override void Epoch(EpochReport r) => _console.MarkupLine(Markup.Escape(ConsoleTrainingObserver.EpochLine(r)));
}
