namespace ResNetSharp.Interop.Pth;

/// <summary>A .pt/.pth file that is not a state dict this library reads safely; the message names the file.</summary>
public sealed class PthFormatException(string path, string problem)
    : FormatException($"{path}: not a loadable PyTorch state dict: {problem}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
}
