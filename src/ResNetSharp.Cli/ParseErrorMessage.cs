using System.CommandLine;
using System.CommandLine.Parsing;
using ResNetSharp.Cli.Options;

namespace ResNetSharp.Cli;

/// <summary>
/// The one line shown for a command line that does not parse: an unknown option or command with the closest
/// known one, a value that does not convert named by its flag and what was expected (never a .NET type name),
/// and the command whose help to read.
/// </summary>
public static class ParseErrorMessage
{
    /// <summary>Whether the command line names a command that only groups others (bare resnet, resnet weights): its usage is the answer.</summary>
    public static bool AsksForUsage(ParseResult parsed) =>
        parsed.UnmatchedTokens.Count == 0 && parsed.CommandResult.Command is { Subcommands.Count: > 0, Action: null }
        && parsed.Errors.All(e => e.SymbolResult is CommandResult) && !parsed.CommandResult.Children.Any();

    /// <summary>The message for <paramref name="parsed"/>'s errors (it has some), without the "resnet: " prefix.</summary>
    public static string Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        string help = $" (see '{CommandPath(parsed.CommandResult)} --help')";
        if (parsed.UnmatchedTokens.Count > 0)
            return Unmatched(parsed.UnmatchedTokens[0], parsed.CommandResult) + help;
        var messages = parsed.Errors
            .Where(e => !(e.SymbolResult is CommandResult && parsed.Errors.Count > 1 && command.Subcommands.Count > 0))
            .Select(e => OneLine(e))
            .Distinct()
            .ToList();
        return string.Join(" ", messages.Select(m => m.EndsWith('.') || m.EndsWith('?') ? m : m + ".")) + help;
    }

    /// <summary>"resnet train" for the train command's result.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c)
                names.Insert(0, c.Parent is null ? "resnet" : c.Command.Name);
        return string.Join(" ", names);
    }

    private static string Unmatched(string token, CommandResult result)
    {
        var command = result.Command;
        if (token.StartsWith('-') && token.Length > 1)
        {
            string flag = token.Split('=', 2)[0];
            var known = OptionsInScope(result).SelectMany(o => new[] { o.Name }.Concat(o.Aliases)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            return $"Unrecognized option '{flag}'.{ChoiceOption.DidYouMean(flag, known)}";
        }
        if (command.Subcommands.Count > 0)
            return $"Unknown command '{token}'.{ChoiceOption.DidYouMean(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
        return $"Unexpected argument '{token}'.";
    }

    /// <summary>The command's options and the recursive options of the commands above it (--help).</summary>
    private static IEnumerable<Option> OptionsInScope(CommandResult result)
    {
        foreach (var option in result.Command.Options.Where(o => !o.Hidden))
            yield return option;
        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
            foreach (var option in parent.Command.Options.Where(o => o.Recursive && !o.Hidden))
                yield return option;
    }

    /// <summary>An error in one line; a value that does not convert is named by its flag and the kind of value expected.</summary>
    private static string OneLine(ParseError error)
    {
        string message = error.Message.ReplaceLineEndings(" ").Trim();
        var (name, type, tokens) = error.SymbolResult switch
        {
            OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens),
            ArgumentResult a => ($"<{a.Argument.Name}>", a.Argument.ValueType, a.Tokens),
            _ => (null, null, null),
        };
        // System.CommandLine's conversion errors name the .NET type; ours never do.
        if (name is not null && type is not null && message.Contains(type.ToString(), StringComparison.Ordinal))
        {
            string given = tokens!.Count > 0 ? string.Join(" ", tokens.Select(t => t.Value)) : "";
            return $"{name} is '{given}'; expected {Expected(type)}";
        }
        return message;
    }

    private static string Expected(Type type)
    {
        var element = Nullable.GetUnderlyingType(type) ?? (type.IsArray ? type.GetElementType()! : type);
        element = Nullable.GetUnderlyingType(element) ?? element;
        if (element == typeof(int) || element == typeof(long) || element == typeof(short))
            return "a whole number";
        if (element == typeof(double) || element == typeof(float) || element == typeof(decimal))
            return "a number";
        if (element == typeof(bool))
            return "true or false";
        if (element.IsEnum)
            return string.Join(", ", ChoiceOption.NamesOf(element));
        if (element == typeof(FileInfo))
            return "a file path";
        if (element == typeof(DirectoryInfo))
            return "a folder path";
        return "a different value";
    }
}
