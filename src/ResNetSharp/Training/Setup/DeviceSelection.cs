using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>Parses --device: auto (CUDA when available, else CPU), cpu, cuda or cuda:N.</summary>
public static class DeviceSelection
{
    /// <summary>The device for <paramref name="text"/>; throws an <see cref="ArgumentException"/> for anything else or an absent GPU.</summary>
    public static Device Parse(string text)
    {
        string value = text.Trim().ToLowerInvariant();
        if (value == "auto")
            return cuda.is_available() ? CUDA : CPU;
        if (value == "cpu")
            return CPU;
        if (value == "cuda" || (value.StartsWith("cuda:") && int.TryParse(value[5..], out _)))
        {
            if (!cuda.is_available())
                throw new ArgumentException($"--device {text}: no CUDA device is available (build with -p:TorchBackend=cuda, or use --device cpu).");
            return device(value);
        }
        throw new ArgumentException($"--device '{text}' is not a device; expected auto, cpu, cuda or cuda:N.");
    }
}
