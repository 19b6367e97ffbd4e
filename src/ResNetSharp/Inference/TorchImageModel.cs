using ResNetSharp.Imaging;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Inference;

/// <summary>
/// A ResNet run with TorchSharp on any device as an <see cref="IImageModel"/>: outputs "logits" (when the
/// network has a classifier) and "embedding" (the pooled features), from one forward pass. Calls from
/// several threads take turns; put a <see cref="BatchingPredictor"/> in front to batch them.
/// </summary>
public sealed class TorchImageModel : IImageModel
{
    /// <summary>The classifier output's name, as in exported ONNX files.</summary>
    public const string LogitsOutput = "logits";

    /// <summary>The pooled features' output name.</summary>
    public const string EmbeddingOutput = "embedding";

    private readonly ResNet _model;
    private readonly Device _device;
    private readonly object _gate = new();

    /// <summary>
    /// Takes ownership of <paramref name="model"/> (disposed with this), puts it in eval mode on
    /// <paramref name="device"/>. <paramref name="classNames"/> must have one name per class.
    /// </summary>
    public TorchImageModel(ResNet model, Device device, string name, IReadOnlyList<string> classNames, ImagePreprocessing preprocessing)
    {
        if (model.NumClasses > 0 && classNames.Count != model.NumClasses)
            throw new ArgumentException($"{classNames.Count} class names for {model.NumClasses} classes.", nameof(classNames));
        _model = model;
        _device = device;
        model.to(device).eval();
        var outputs = new List<ModelOutput>();
        if (model.NumClasses > 0)
            outputs.Add(new ModelOutput(LogitsOutput, OutputKind.Classification, model.NumClasses, classNames));
        outputs.Add(new ModelOutput(EmbeddingOutput, OutputKind.Embedding, model.NumFeatures));
        Info = new ImageModelInfo(name, $"torchsharp ({device})", model.Spec.InChannels, preprocessing, outputs);
    }

    /// <inheritdoc />
    public ImageModelInfo Info { get; }

    /// <inheritdoc />
    public IReadOnlyList<Prediction> Predict(ImageBatch batch)
    {
        if (batch.Channels != Info.InChannels)
            throw new ArgumentException($"{Info.Name} takes {Info.InChannels}-channel inputs; got {batch.Channels}.", nameof(batch));
        float[] embeddings, logits;
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var input = tensor(batch.Values, [batch.Count, batch.Channels, batch.Height, batch.Width]).to(_device);
            var features = _model.ForwardFeatures(input);
            embeddings = ToArray(_model.ForwardHead(features, preLogits: true));
            logits = _model.NumClasses > 0 ? ToArray(_model.ForwardHead(features)) : [];
        }
        int classes = _model.NumClasses, dimensions = _model.NumFeatures;
        return Enumerable.Range(0, batch.Count).Select(row =>
        {
            var outputs = new Dictionary<string, float[]> { [EmbeddingOutput] = embeddings[(row * dimensions)..((row + 1) * dimensions)] };
            if (classes > 0)
                outputs[LogitsOutput] = logits[(row * classes)..((row + 1) * classes)];
            return new Prediction(outputs, Info);
        }).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();

    private static float[] ToArray(Tensor values) => values.to(ScalarType.Float32).cpu().data<float>().ToArray();
}
