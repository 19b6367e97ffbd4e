namespace ResNetSharp.Inference;

/// <summary>An ONNX file that does not load or is not an image classifier this library can run; the message names the file.</summary>
public sealed class OnnxModelException(string path, string problem, Exception? inner = null)
    : FormatException($"{path}: {problem}", inner)
{
    /// <summary>The model file.</summary>
    public string Path { get; } = path;
}
