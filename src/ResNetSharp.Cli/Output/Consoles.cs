using Spectre.Console;

namespace ResNetSharp.Cli.Output;

/// <summary>Spectre.Console consoles bound to a given writer (stdout in the tool, a buffer in tests).</summary>
public static class Consoles
{
    /// <summary>A console writing to <paramref name="output"/>; colours and live displays only on a real terminal.</summary>
    public static IAnsiConsole For(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }
}
