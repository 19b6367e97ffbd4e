namespace ResNetSharp.Interop;

/// <summary>A safetensors file that breaks the format; the message names the file and what is wrong.</summary>
public sealed class SafetensorsFormatException(string path, string problem)
    : FormatException($"{path}: not a valid safetensors file: {problem}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
}
