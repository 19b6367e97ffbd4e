namespace ResNetSharp.Cli.Options;

/// <summary>Range and choice checks for option values; a failure is a <see cref="UsageException"/> naming the option.</summary>
public static class OptionChecks
{
    /// <summary><paramref name="value"/>, if it is <paramref name="minimum"/> or more.</summary>
    public static int AtLeast(int value, int minimum, string option) =>
        value >= minimum ? value : throw new UsageException($"{option} must be {minimum} or more; got {value}.");

    /// <summary><paramref name="value"/>, if it is from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public static int Between(int value, int minimum, int maximum, string option) =>
        value >= minimum && value <= maximum ? value
            : throw new UsageException($"{option} must be from {minimum} to {maximum}; got {value}.");

    /// <summary>The one of <paramref name="allowed"/> that <paramref name="value"/> names (any case), as <see cref="ChoiceOption"/> reads values.</summary>
    public static string OneOf(string value, string option, params string[] allowed) =>
        ChoiceOption.Match(value, allowed) ?? throw new UsageException(ChoiceOption.NotAChoice(option, value, allowed));
}
