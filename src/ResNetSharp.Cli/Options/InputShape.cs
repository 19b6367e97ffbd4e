using ResNetSharp.Imaging;
using ResNetSharp.Models;

namespace ResNetSharp.Cli.Options;

/// <summary>A sample's shape as the user writes it: "3x224x224" (channels x height x width).</summary>
public readonly record struct InputShape(int Channels, int Height, int Width)
{
    /// <summary>
    /// Parses "CxHxW" with 1 to <see cref="SpecLimits.MaxInChannels"/> channels and sides of 1 to
    /// <see cref="ImagePreprocessing.MaxSide"/>; throws a <see cref="UsageException"/> naming <paramref name="option"/> otherwise.
    /// </summary>
    public static InputShape Parse(string text, string option)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length == 3
            && int.TryParse(parts[0], out int c) && int.TryParse(parts[1], out int h) && int.TryParse(parts[2], out int w)
            && c > 0 && h > 0 && w > 0)
        {
            return c <= SpecLimits.MaxInChannels && h <= ImagePreprocessing.MaxSide && w <= ImagePreprocessing.MaxSide
                ? new InputShape(c, h, w)
                : throw new UsageException($"{option} '{text}' is too large; expected at most {SpecLimits.MaxInChannels} channels and sides of at most {ImagePreprocessing.MaxSide}.");
        }
        throw new UsageException($"{option} '{text}' is not a shape; expected CxHxW with positive numbers, e.g. 3x224x224.");
    }

    /// <summary>Values in one sample: channels x height x width.</summary>
    public long Values => (long)Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
