using ResNetSharp.Imaging;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Inference;

/// <summary>
/// A network run with TorchSharp on any device as an <see cref="IImageModel"/>: the outputs
/// <see cref="NetworkOutputs"/> names (a ResNet's "logits", or every head of a <see cref="MultiHeadNetwork"/>
/// by name, then "embedding", the pooled features), all from one forward pass; the same outputs as the
/// network's ONNX export. Calls from several threads take turns; put ResNetSharp.Inference's
/// <c>BatchingPredictor</c> in front to batch them.
/// </summary>
public sealed class TorchImageModel : IImageModel
{
    private readonly nn.Module _network;
    private readonly Func<Tensor, IReadOnlyDictionary<string, Tensor>> _forward;
    private readonly Device _device;
    private readonly object _gate = new();

    /// <summary>
    /// A plain ResNet: takes ownership of <paramref name="model"/> (disposed with this), puts it in eval mode on
    /// <paramref name="device"/>. <paramref name="classNames"/> must have one name per class.
    /// </summary>
    public TorchImageModel(ResNet model, Device device, string name, IReadOnlyList<string> classNames, ImagePreprocessing preprocessing)
        : this(model, device, new ImageModelInfo(name, Engine(device), model.Spec.InChannels, preprocessing, NetworkOutputs.Of(model, classNames)), x =>
        {
            var features = model.ForwardFeatures(x);
            var outputs = new Dictionary<string, Tensor> { [ModelOutput.EmbeddingName] = model.ForwardHead(features, preLogits: true) };
            if (model.NumClasses > 0)
                outputs[ModelOutput.LogitsName] = model.ForwardHead(features);
            return outputs;
        })
    {
    }

    /// <summary>
    /// A network with named heads: takes ownership of <paramref name="network"/> (disposed with this), puts it in
    /// eval mode on <paramref name="device"/>. Each head's output is named after it; a regression head's values
    /// are in its targets' units. <paramref name="inChannels"/> is the input the backbone takes (a catalog ResNet
    /// backbone's own when null).
    /// </summary>
    public TorchImageModel(MultiHeadNetwork network, Device device, string name, ImagePreprocessing preprocessing, int? inChannels = null)
        : this(network, device, new ImageModelInfo(name, Engine(device),
            inChannels ?? network.ResNetBackbone?.Spec.InChannels ?? throw new ArgumentNullException(nameof(inChannels), "a network whose backbone is not a catalog ResNet needs its input channels."),
            preprocessing, NetworkOutputs.Of(network)), x =>
        {
            var features = network.Embed(x);
            return new Dictionary<string, Tensor>(network.ForwardHeads(features)) { [ModelOutput.EmbeddingName] = features };
        })
    {
    }

    private TorchImageModel(nn.Module network, Device device, ImageModelInfo info, Func<Tensor, IReadOnlyDictionary<string, Tensor>> forward)
    {
        _network = network;
        _device = device;
        _forward = forward;
        network.to(device).eval();
        Info = info;
    }

    /// <inheritdoc />
    public ImageModelInfo Info { get; }

    /// <summary>Where the network runs.</summary>
    public Device Device => _device;

    /// <inheritdoc />
    public IReadOnlyList<Prediction> Predict(ImageBatch batch)
    {
        if (batch.Channels != Info.InChannels)
            throw new ArgumentException($"{Info.Name} takes {Info.InChannels}-channel inputs; got {batch.Channels}.", nameof(batch));
        var values = new Dictionary<string, float[]>();
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var outputs = _forward(tensor(batch.Values, [batch.Count, batch.Channels, batch.Height, batch.Width]).to(_device));
            foreach (var output in Info.Outputs)
                values[output.Name] = outputs[output.Name].to(ScalarType.Float32).cpu().data<float>().ToArray();
        }
        return Enumerable.Range(0, batch.Count).Select(row => new Prediction(
            Info.Outputs.ToDictionary(o => o.Name, o => values[o.Name][(row * o.Size)..((row + 1) * o.Size)]), Info)).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();

    private static string Engine(Device device) => $"torchsharp ({device})";
}
