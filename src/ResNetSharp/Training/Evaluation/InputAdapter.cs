using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>How grayscale data meets a model: build the model for one channel, or repeat the channel three times.</summary>
public enum GrayscaleMode
{
    /// <summary>The model takes one input channel (its stem is built for it).</summary>
    OneChannelModel,

    /// <summary>The single channel is repeated to RGB for a 3-channel model (e.g. ImageNet weights).</summary>
    RepeatChannels,
}

/// <summary>Turns a dataset's uint8 batches into the float input a model expects, on the model's device.</summary>
/// <param name="Mean">Per-channel mean of the data.</param>
/// <param name="Std">Per-channel standard deviation.</param>
/// <param name="RepeatTo">Repeat a single channel this many times (1: leave as is).</param>
/// <param name="Device">Where the model is.</param>
public sealed record InputAdapter(IReadOnlyList<double> Mean, IReadOnlyList<double> Std, int RepeatTo, Device Device)
{
    /// <summary>The dtype the model computes in: float32, or bfloat16/float16 for mixed precision.</summary>
    public ScalarType ComputeDtype { get; init; } = ScalarType.Float32;

    /// <summary>Hand the model NHWC-strided batches.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>The adapter for <paramref name="data"/> feeding a model with <paramref name="modelChannels"/> input channels.</summary>
    public static InputAdapter For(ImageDataset data, int modelChannels, Device device) =>
        For(data.ImageShape.Channels, data.Mean, data.Std, data.Source, modelChannels, device);

    /// <summary>The adapter for data with <paramref name="dataChannels"/> channels and these statistics, feeding a model with <paramref name="modelChannels"/>.</summary>
    public static InputAdapter For(int dataChannels, IReadOnlyList<double> mean, IReadOnlyList<double> std, string source, int modelChannels, Device device)
    {
        if (dataChannels == modelChannels)
            return new InputAdapter(mean, std, 1, device);
        if (dataChannels == 1 && modelChannels == 3)
            return new InputAdapter(mean, std, 3, device);
        throw new ArgumentException($"{source} has {dataChannels} channel(s) but the model takes {modelChannels}.");
    }

    /// <summary>
    /// Augments (if asked), normalises and, if needed, repeats the channel of a uint8 batch, then puts it
    /// in the compute dtype and memory layout.
    /// </summary>
    public Tensor Prepare(Tensor images, AugmentationOptions augmentation, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var x = BatchAugmentation.Apply(images.to(Device), Mean, Std, augmentation, generator);
        if (RepeatTo > 1)
            x = x.expand(-1, RepeatTo, -1, -1).contiguous();
        if (ChannelsLast)
            x = Models.MemoryFormat.ToChannelsLast(x);
        if (ComputeDtype != x.dtype)
            x = x.to(ComputeDtype);
        return x.MoveToOuterDisposeScope();
    }
}
