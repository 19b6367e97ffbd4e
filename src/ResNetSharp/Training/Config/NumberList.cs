using System.Globalization;

namespace ResNetSharp.Training;

/// <summary>Comma-separated numbers as front ends write lists of config values: "0.4914,0.4822,0.4465", "32000, 48000".</summary>
public static class NumberList
{
    /// <summary>The numbers of <paramref name="text"/>; a <see cref="ConfigException"/> naming <paramref name="property"/> when one is not a finite number.</summary>
    public static IReadOnlyList<double> Parse(string text, string property)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<double>(parts.Length);
        foreach (var part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                throw new ConfigException(property, $"'{text}'", "numbers separated by commas, e.g. 0.4914,0.4822,0.4465");
            values.Add(value);
        }
        return values;
    }

    /// <summary>Whole numbers, as <see cref="Parse"/>.</summary>
    public static IReadOnlyList<long> ParseIntegers(string text, string property) =>
        Parse(text, property).Select(v => v == Math.Floor(v) && Math.Abs(v) < 1e15 ? (long)v
            : throw new ConfigException(property, $"'{text}'", "whole numbers separated by commas, e.g. 32000,48000")).ToList();
}
