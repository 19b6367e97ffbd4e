using ResNetSharp.Cli.Output;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Cli;

public class LiveTrainingProgressTests
{
    [Fact]
    public void TheLiveDisplayShowsStepsLossRateThroughputAndEpochResults()
    {
        using var run = new TinyRun();
        var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(buffer),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        var config = run.Config with { Schedule = run.Config.Schedule with { Epochs = 2 }, Run = run.Config.Run with { LogEvery = 2 } };
        var outcome = LiveTrainingProgress.Run(console, observer =>
            new Trainer(config, run.RunFolder("live"), CPU, run.DataDir, observer).Run(false, false, CancellationToken.None));

        Assert.True(outcome.Completed);
        string text = buffer.ToString();
        Assert.Contains("step 12/12", text);
        Assert.Matches(@"loss [0-9]+\.[0-9]{4}  lr [0-9.eE+-]+  [0-9,]+ img/s", text);
        Assert.Contains("epoch 1/2  train loss", text);
        Assert.Contains("epoch 2/2  train loss", text);
        Assert.Contains("100%", text);
    }
}
