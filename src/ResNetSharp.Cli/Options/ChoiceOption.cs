using System.CommandLine;
using System.Text;
using ResNetSharp.Common;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// An option whose value is one of a fixed set of names, the one home for how such values look: lower case
/// (kebab-case for several words, e.g. one-cycle) in help, completions and errors, read in any case with or
/// without hyphens and underscores. A value outside the set is a one-line parse error that lists the allowed
/// values and the closest one. The parsed value is the canonical name.
/// </summary>
public class ChoiceOption : Option<string>
{
    /// <summary>An option for <paramref name="choices"/> (written as they should be shown).</summary>
    /// <param name="name">The flag, e.g. --engine.</param>
    /// <param name="description">The help text; the choices and the default are shown beside it.</param>
    /// <param name="choices">The allowed values, in the order the help lists them.</param>
    /// <param name="defaultChoice">The value when the option is absent (null: none).</param>
    /// <param name="aliases">Other names, e.g. -f.</param>
    public ChoiceOption(string name, string description, IReadOnlyList<string> choices, string? defaultChoice = null, params string[] aliases)
        : base(name, aliases)
    {
        Choices = choices;
        Description = description;
        HelpName = string.Join("|", choices);
        CompletionSources.Add(choices.ToArray());
        if (defaultChoice is not null)
            DefaultValueFactory = _ => Match(defaultChoice, choices) ?? throw new ArgumentException($"{name}: the default '{defaultChoice}' is not one of its choices.");
        CustomParser = result =>
        {
            string given = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Match(given, choices) is { } choice)
                return choice;
            result.AddError(NotAChoice(name, given, choices));
            return null;
        };
    }

    /// <summary>The allowed values.</summary>
    public IReadOnlyList<string> Choices { get; }

    /// <summary>The command-line name of an enum member: OneCycle is one-cycle, AdamW is adamw, Fp16 is fp16.</summary>
    public static string NameOf(Enum value) => NameOf(value.ToString());

    /// <summary>The command-line names of every member of <paramref name="enumType"/>, in declaration order.</summary>
    public static IReadOnlyList<string> NamesOf(Type enumType) => Enum.GetNames(enumType).Select(NameOf).ToList();

    /// <summary>The member of <paramref name="enumType"/> that <paramref name="text"/> names (any case, with or without hyphens), or null.</summary>
    public static Enum? EnumMember(Type enumType, string text) =>
        Enum.GetNames(enumType).FirstOrDefault(n => Normalized(n) == Normalized(text)) is { } member ? (Enum)Enum.Parse(enumType, member) : null;

    /// <summary>The choice <paramref name="text"/> means (any case, with or without hyphens and underscores), or null.</summary>
    public static string? Match(string text, IEnumerable<string> choices) =>
        choices.FirstOrDefault(c => Normalized(c) == Normalized(text));

    /// <summary>The one-line error for a value outside <paramref name="choices"/>, with the closest choice when one is close.</summary>
    public static string NotAChoice(string flag, string given, IReadOnlyList<string> choices)
    {
        string allowed = choices.Count == 1 ? choices[0] : $"{string.Join(", ", choices.Take(choices.Count - 1))} or {choices[^1]}";
        return $"{flag} is '{given}'; expected {allowed}.{DidYouMean(given, choices)}";
    }

    /// <summary>" Did you mean 'x'?" (or 'x' or 'y') for the closest of <paramref name="candidates"/>, or "" when none is close.</summary>
    public static string DidYouMean(string given, IEnumerable<string> candidates)
    {
        var close = CloseMatches.Find(given, candidates, max: 3);
        return close.Count == 0 ? "" : $" Did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?";
    }

    private static string NameOf(string member)
    {
        var name = new StringBuilder();
        for (int i = 0; i < member.Length; i++)
        {
            char c = member[i];
            // A new word starts at a capital that follows a lower-case letter or digit and precedes a lower-case letter (AdamW stays one word).
            if (i > 0 && char.IsUpper(c) && char.IsLetterOrDigit(member[i - 1]) && !char.IsUpper(member[i - 1])
                && i + 1 < member.Length && char.IsLower(member[i + 1]))
                name.Append('-');
            name.Append(char.ToLowerInvariant(c));
        }
        return name.ToString();
    }

    private static string Normalized(string text) => text.Replace("-", "").Replace("_", "").ToLowerInvariant();
}

/// <summary>A <see cref="ChoiceOption"/> over the members of <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The enum.</typeparam>
public sealed class EnumOption<T> : ChoiceOption where T : struct, Enum
{
    /// <summary>An option for the members of <typeparamref name="T"/>.</summary>
    /// <param name="name">The flag, e.g. --format.</param>
    /// <param name="description">The help text; the values and the default are shown beside it.</param>
    /// <param name="defaultValue">The value when the option is absent (null: none, and <see cref="Read"/> returns null).</param>
    /// <param name="aliases">Other names.</param>
    public EnumOption(string name, string description, T? defaultValue = null, params string[] aliases)
        : base(name, description, NamesOf(typeof(T)), defaultValue is { } value ? NameOf(value) : null, aliases)
    {
    }

    /// <summary>The value given (or the default), or null when neither.</summary>
    public T? Read(ParseResult parsed) => parsed.GetValue(this) is { } name ? (T)EnumMember(typeof(T), name)! : null;

    /// <summary>The value given, or the default.</summary>
    public T Value(ParseResult parsed) => Read(parsed) ?? throw new InvalidOperationException($"{Name} has no default value.");
}
