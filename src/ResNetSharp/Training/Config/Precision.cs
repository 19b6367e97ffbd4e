using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>The dtype convolutions and linear layers compute in; weights, norm statistics and the loss stay float32.</summary>
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Fp32,

    /// <summary>bfloat16 compute: float32's range, no loss scaling needed.</summary>
    Bf16,

    /// <summary>float16 compute with dynamic loss scaling (see <see cref="LossScaler"/>).</summary>
    Fp16,
}

/// <summary>Names and dtypes of <see cref="Precision"/> values.</summary>
public static class PrecisionNames
{
    /// <summary>The compute dtype.</summary>
    public static ScalarType ToScalarType(this Precision precision) => precision switch
    {
        Precision.Bf16 => ScalarType.BFloat16,
        Precision.Fp16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };

    /// <summary>fp32, bf16 or fp16.</summary>
    public static string ToName(this Precision precision) => precision.ToString().ToLowerInvariant();

    /// <summary>Parses fp32, bf16 or fp16 (any case); throws an <see cref="ArgumentException"/> naming <paramref name="option"/> otherwise.</summary>
    public static Precision Parse(string text, string option = "--precision") =>
        Enum.TryParse<Precision>(text, ignoreCase: true, out var precision) && Enum.IsDefined(precision) && !int.TryParse(text, out _)
            ? precision
            : throw new ArgumentException($"{option} is '{text}'; expected fp32, bf16 or fp16.");
}
