using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>Checks an image batch before libtorch sees it, so a mistake reads as what was expected and what came.</summary>
internal static class InputCheck
{
    public static void Validate(ResNet model, Tensor input)
    {
        int channels = model.Spec.InChannels;
        int minSize = model.MinimumInputSize;
        var shape = input.shape;
        if (shape.Length == 4 && shape[1] == channels && shape[2] >= minSize && shape[3] >= minSize && input.is_floating_point())
            return; // the common case, checked without building the messages (this runs in every forward)
        string expected = $"(N, {channels}, H, W) with H, W >= {minSize}";
        string got = $"({string.Join(", ", shape)})";
        if (shape.Length != 4)
            throw new ArgumentException($"Input must be a batch of images {expected}; got a {shape.Length}-d tensor {got}.", nameof(input));
        if (shape[1] != channels)
            throw new ArgumentException($"Input must have {channels} channel(s): {expected}; got {shape[1]} in {got}.", nameof(input));
        if (shape[2] < minSize || shape[3] < minSize)
            throw new ArgumentException(
                $"Input images are too small for this network's total stride {minSize}: expected {expected}; got {got}.", nameof(input));
        throw new ArgumentException($"Input must be floating point (normalised images); got {input.dtype}.", nameof(input));
    }
}
