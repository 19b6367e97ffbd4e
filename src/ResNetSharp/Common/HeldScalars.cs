using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Common;

/// <summary>
/// Tensor operations with a number that keep the number's native <see cref="Scalar"/> alive until libtorch has read it.
/// TorchSharp 0.107 turns a number (and the implicit alpha of 1 in <c>a + b</c>) into a Scalar that nothing references
/// during the native call, so a collection on another thread may finalize it, freeing the value while libtorch reads
/// it: "Unknown scalar type" failed a parallel test run once, and the README's main command once, at the first steps
/// after an epoch's end while the plots were drawn on another thread (dotnet/TorchSharp#1434). The code that runs at
/// every step (data augmentation, the forward's residual sums, losses, metrics, optimizers, weight averages, loss
/// scaling) and the ONNX exporter's folding use these.
/// </summary>
internal static class HeldScalars
{
    /// <summary>The alpha of a plain sum, alive for the whole process (a static field is never finalized).</summary>
    public static Scalar One { get; } = 1.ToScalar();

    /// <summary><paramref name="tensor"/> += <paramref name="other"/>, in place.</summary>
    public static Tensor AddInPlace(this Tensor tensor, Tensor other) => tensor.add_(other, One);

    /// <summary><paramref name="tensor"/> += <paramref name="alpha"/> * <paramref name="other"/>, in place.</summary>
    public static Tensor AddInPlace(this Tensor tensor, Tensor other, double alpha)
    {
        using var held = alpha.ToScalar();
        return tensor.add_(other, held);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="alpha"/> * <paramref name="other"/>, a new tensor.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other, double alpha)
    {
        using var held = alpha.ToScalar();
        return tensor.add(other, held);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="value"/>, a new tensor.</summary>
    public static Tensor Plus(this Tensor tensor, double value)
    {
        using var held = value.ToScalar();
        return tensor.add(held, One);
    }

    /// <summary><paramref name="tensor"/> += <paramref name="value"/>, in place.</summary>
    public static Tensor AddInPlace(this Tensor tensor, double value)
    {
        using var held = value.ToScalar();
        return tensor.add_(held, One);
    }

    /// <summary><paramref name="tensor"/> *= <paramref name="factor"/>, in place.</summary>
    public static Tensor MulInPlace(this Tensor tensor, double factor)
    {
        using var held = factor.ToScalar();
        return tensor.mul_(held);
    }

    /// <summary><paramref name="tensor"/> /= <paramref name="divisor"/>, in place.</summary>
    public static Tensor DivInPlace(this Tensor tensor, double divisor)
    {
        using var held = divisor.ToScalar();
        return tensor.div_(held);
    }

    /// <summary><paramref name="tensor"/> += <paramref name="value"/> * <paramref name="a"/> * <paramref name="b"/>, in place (addcmul_).</summary>
    public static Tensor AddProductInPlace(this Tensor tensor, Tensor a, Tensor b, double value)
    {
        using var held = value.ToScalar();
        return tensor.addcmul_(a, b, held);
    }

    /// <summary><paramref name="tensor"/> += <paramref name="value"/> * <paramref name="a"/> / <paramref name="b"/>, in place (addcdiv_).</summary>
    public static Tensor AddQuotientInPlace(this Tensor tensor, Tensor a, Tensor b, double value)
    {
        using var held = value.ToScalar();
        return tensor.addcdiv_(a, b, held);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="other"/>, a new tensor.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, One);

    /// <summary><paramref name="tensor"/> * <paramref name="factor"/>, a new tensor.</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using var held = factor.ToScalar();
        return tensor.mul(held);
    }

    /// <summary><paramref name="tensor"/> &gt;= <paramref name="value"/>, element-wise.</summary>
    public static Tensor AtLeast(this Tensor tensor, double value)
    {
        using var held = value.ToScalar();
        return tensor.ge(held);
    }

    /// <summary><paramref name="tensor"/> &lt; <paramref name="value"/>, element-wise.</summary>
    public static Tensor Below(this Tensor tensor, double value)
    {
        using var held = value.ToScalar();
        return tensor.lt(held);
    }

    /// <summary>max(<paramref name="tensor"/>, <paramref name="minimum"/>), a new tensor (floating point: a number with a fraction promotes an integer tensor).</summary>
    public static Tensor ClampMin(this Tensor tensor, double minimum)
    {
        using var held = minimum.ToScalar();
        return tensor.clamp_min(held);
    }

    /// <summary>max(<paramref name="tensor"/>, <paramref name="minimum"/>), a new tensor of the same type (an integer tensor stays one).</summary>
    public static Tensor ClampMin(this Tensor tensor, long minimum)
    {
        using var held = minimum.ToScalar();
        return tensor.clamp_min(held);
    }

    /// <summary>max(<paramref name="tensor"/>, <paramref name="minimum"/>), in place.</summary>
    public static Tensor ClampMinInPlace(this Tensor tensor, long minimum)
    {
        using var held = minimum.ToScalar();
        return tensor.clamp_min_(held);
    }

    /// <summary>max(<paramref name="tensor"/>, <paramref name="minimum"/>), in place.</summary>
    public static Tensor ClampMinInPlace(this Tensor tensor, double minimum)
    {
        using var held = minimum.ToScalar();
        return tensor.clamp_min_(held);
    }

    /// <summary>Every element of <paramref name="tensor"/> set to <paramref name="value"/>, in place.</summary>
    public static Tensor FillInPlace(this Tensor tensor, double value)
    {
        using var held = value.ToScalar();
        return tensor.fill_(held);
    }

    /// <summary><paramref name="tensor"/> with <paramref name="value"/> where <paramref name="mask"/> is true, a new tensor.</summary>
    public static Tensor MaskedFill(this Tensor tensor, Tensor mask, double value)
    {
        using var held = value.ToScalar();
        return tensor.masked_fill(mask, held);
    }
}
