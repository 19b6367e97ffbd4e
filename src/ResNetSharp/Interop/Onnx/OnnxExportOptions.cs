using ResNetSharp.Imaging;

namespace ResNetSharp.Interop.Onnx;

/// <summary>How a model is exported to ONNX.</summary>
/// <param name="Height">
/// Training input height, recorded in the metadata ("input_size") for image preprocessing only: the
/// graph's batch, height and width axes are dynamic, so any size the network accepts runs.
/// </param>
/// <param name="Width">Training input width, as <paramref name="Height"/>.</param>
/// <param name="FoldBatchNorm">Fold each BatchNorm into the convolution before it (eval-mode statistics).</param>
/// <param name="ClassNames">Stored as metadata "class_names" (JSON array).</param>
/// <param name="Preprocessing">Stored as metadata "preprocessing" (JSON), with "mean" and "std".</param>
/// <param name="WeightsSha256">
/// SHA-256 (hex) of the weights file the model came from, stored as metadata <see cref="WeightsSha256Key"/>: it tells
/// a server that an image index was built with the same weights as the exported model.
/// </param>
public sealed record OnnxExportOptions(int Height = 224, int Width = 224, bool FoldBatchNorm = true,
    IReadOnlyList<string>? ClassNames = null, ImagePreprocessing? Preprocessing = null, string? WeightsSha256 = null)
{
    /// <summary>ONNX opset the graph uses.</summary>
    public const int Opset = 17;

    /// <summary>Metadata key of <see cref="WeightsSha256"/>.</summary>
    public const string WeightsSha256Key = "weights_sha256";
}
