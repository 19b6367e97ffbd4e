using ResNetSharp.Imaging;

namespace ResNetSharp.Interop.Onnx;

/// <summary>How a model is exported to ONNX.</summary>
/// <param name="Height">Input height recorded in the graph (the batch axis is always dynamic).</param>
/// <param name="Width">Input width.</param>
/// <param name="FoldBatchNorm">Fold each BatchNorm into the convolution before it (eval-mode statistics).</param>
/// <param name="ClassNames">Stored as metadata "class_names" (JSON array).</param>
/// <param name="Preprocessing">Stored as metadata "preprocessing" (JSON), with "mean" and "std".</param>
public sealed record OnnxExportOptions(int Height = 224, int Width = 224, bool FoldBatchNorm = true,
    IReadOnlyList<string>? ClassNames = null, ImagePreprocessing? Preprocessing = null)
{
    /// <summary>ONNX opset the graph uses.</summary>
    public const int Opset = 17;
}
