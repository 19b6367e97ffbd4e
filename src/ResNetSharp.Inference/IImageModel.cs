namespace ResNetSharp.Inference;

/// <summary>
/// An image model that maps a prepared batch to named outputs: ONNX Runtime (<see cref="OnnxClassifier"/>)
/// or TorchSharp (<c>ResNetSharp.Inference.TorchImageModel</c> in the ResNetSharp library). Implementations
/// are safe to call from several threads at once; <see cref="BatchingPredictor"/> adds dynamic batching.
/// </summary>
public interface IImageModel : IDisposable
{
    /// <summary>Input channels, preprocessing and outputs.</summary>
    ImageModelInfo Info { get; }

    /// <summary>One prediction per image of <paramref name="batch"/>, in order.</summary>
    IReadOnlyList<Prediction> Predict(ImageBatch batch);
}
