namespace ResNetSharp.Training;

/// <summary>
/// A training config value out of range. <see cref="Property"/> is the value's path in the config's JSON
/// (e.g. <c>optimization.learningRate</c>), so a front end can name its own spelling of it (a flag, a field).
/// </summary>
public sealed class ConfigException(string property, object? value, string expected)
    : ArgumentException($"{property} is {Format(value)}; expected {expected}.", property)
{
    /// <summary>Path of the property in the config's JSON, camelCase, dot-separated.</summary>
    public string Property { get; } = property;

    /// <summary>The value that was refused, as written in the message.</summary>
    public string Value { get; } = Format(value);

    /// <summary>What was expected instead.</summary>
    public string Expected { get; } = expected;

    /// <summary>The message without the .NET parameter suffix.</summary>
    public override string Message => $"{Property} is {Value}; expected {Expected}.";

    private static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("G", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Throws unless <paramref name="ok"/>.</summary>
    internal static void Require(bool ok, string property, object? value, string expected)
    {
        if (!ok)
            throw new ConfigException(property, value, expected);
    }
}
