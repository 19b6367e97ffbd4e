using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// Channels-last (NHWC) memory layout. TorchSharp cannot ask for <c>torch.channels_last</c>, but a
/// permute / contiguous / permute round trip gives the same strides, and libtorch's convolutions
/// (cuDNN, oneDNN) follow the strides of their input and weight.
/// </summary>
public static class MemoryFormat
{
    /// <summary>A 4-d tensor with NHWC strides and the same (N, C, H, W) shape and values.</summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        if (x.dim() != 4)
            throw new ArgumentException($"channels-last needs a 4-d tensor (N, C, H, W); got shape ({string.Join(", ", x.shape)}).", nameof(x));
        using var nhwc = x.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }

    /// <summary>Whether a 4-d tensor's strides are NHWC (channels vary fastest; size-1 dimensions match either layout).</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4)
            return false;
        using var nhwc = x.permute(0, 2, 3, 1);
        return nhwc.is_contiguous();
    }

    /// <summary>
    /// Puts every 4-d parameter and buffer of <paramref name="model"/> (the convolution weights) in NHWC
    /// layout in place, so convolutions get channels-last weights as well as inputs. Values, names and
    /// shapes are unchanged; optimiser state created afterwards follows the layout.
    /// </summary>
    public static void ConvertWeights(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (_, parameter) in model.named_parameters())
            if (parameter.dim() == 4 && !IsChannelsLast(parameter))
            {
                using var converted = ToChannelsLast(parameter);
                parameter.set_(converted);
            }
    }
}
