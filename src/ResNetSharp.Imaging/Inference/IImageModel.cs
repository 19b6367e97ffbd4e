namespace ResNetSharp.Inference;

/// <summary>
/// An image model that maps a prepared batch to named outputs (<see cref="ImageModelInfo.Outputs"/>): ONNX
/// Runtime (<c>OnnxClassifier</c> in ResNetSharp.Inference) or TorchSharp (<c>TorchImageModel</c> in the
/// ResNetSharp library). Implementations are safe to call from several threads at once; ResNetSharp.Inference's
/// <c>BatchingPredictor</c> adds dynamic batching. This contract lives beside the image preprocessing, apart
/// from both engines, so that neither the training library nor a custom model needs ONNX Runtime.
/// </summary>
public interface IImageModel : IDisposable
{
    /// <summary>Input channels, preprocessing and outputs.</summary>
    ImageModelInfo Info { get; }

    /// <summary>One prediction per image of <paramref name="batch"/>, in order.</summary>
    IReadOnlyList<Prediction> Predict(ImageBatch batch);
}
