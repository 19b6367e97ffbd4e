using ResNetSharp.Imaging;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Data.Images;

/// <summary>Moves preprocessed pixels into tensors, normalised the same way as <see cref="ImagePreprocessing.Normalize"/>.</summary>
public static class PixelTensors
{
    /// <summary>uint8 (C, H, W) on the CPU.</summary>
    public static Tensor ToTensor(this PixelPlanes pixels) =>
        tensor(pixels.Data, [pixels.Channels, pixels.Height, pixels.Width]);

    /// <summary>uint8 (N, C, H, W) to normalised float32 on <paramref name="device"/>.</summary>
    public static Tensor Normalize(this ImagePreprocessing preprocessing, Tensor pixels, Device device)
    {
        using var scope = NewDisposeScope();
        var scaled = pixels.to(device).to(ScalarType.Float32).DivInPlace(255f);
        return BatchAugmentation.Normalize(scaled, preprocessing.Mean, preprocessing.Std).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// uint8 (N, C, H, W) to what a model with <paramref name="inChannels"/> input channels takes: normalised
    /// float32 on <paramref name="device"/>, a single channel repeated for a 3-channel model.
    /// </summary>
    public static Tensor ToModelInput(this ImagePreprocessing preprocessing, Tensor pixels, Device device, int inChannels)
    {
        using var scope = NewDisposeScope();
        var x = preprocessing.Normalize(pixels, device);
        if (x.shape[1] == 1 && inChannels == 3)
            x = x.expand(-1, 3, -1, -1).contiguous();
        return x.MoveToOuterDisposeScope();
    }
}
