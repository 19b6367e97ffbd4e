using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ResNetSharp.Imaging;

namespace ResNetSharp.Inference;

/// <summary>What an ONNX session is as an image model: its input, its outputs and kinds, from the graph and the metadata.</summary>
/// <param name="InputName">The graph input.</param>
/// <param name="FixedHeight">The input height when the graph fixes it (older exports), else null.</param>
/// <param name="FixedWidth">The input width when the graph fixes it, else null.</param>
/// <param name="Info">Channels, preprocessing and outputs.</param>
/// <param name="Metadata">The model's custom metadata, as the file holds it.</param>
internal sealed record OnnxModelDescription(string InputName, int? FixedHeight, int? FixedWidth, ImageModelInfo Info, IReadOnlyDictionary<string, string> Metadata)
{
    // As ResNetSpec's class limit: a fixed output size read from the file must not decide how many names are made.
    private const int MaxOutputSize = 1_000_000;

    public static OnnxModelDescription Read(string path, InferenceSession session, int? imageSize)
    {
        if (session.InputMetadata.Count != 1)
            throw new OnnxModelException(path, $"has {session.InputMetadata.Count} inputs; an image classifier has one (N, C, H, W) input.");
        var (inputName, input) = session.InputMetadata.Single();
        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 4)
            throw new OnnxModelException(path, $"input \"{inputName}\" is {Describe(input)}; expected a float32 (N, C, H, W) tensor.");
        int channels = input.Dimensions[1];
        if (channels is not (1 or 3))
            throw new OnnxModelException(path, $"input \"{inputName}\" has {channels} channels; expected 1 or 3.");
        int? height = input.Dimensions[2] > 0 ? input.Dimensions[2] : null, width = input.Dimensions[3] > 0 ? input.Dimensions[3] : null;
        if (height > Imaging.ImagePreprocessing.MaxSide || width > Imaging.ImagePreprocessing.MaxSide)
            throw new OnnxModelException(path, $"input \"{inputName}\" is {height}x{width}; sides of at most {Imaging.ImagePreprocessing.MaxSide} are supported.");

        var metadata = ReadMetadata(session, path);
        var info = ExportedModelInfo.Parse(metadata, path);
        var outputs = Outputs(path, session, info, metadata);

        var preprocessing = info.Preprocessing
            ?? Imaging.ImagePreprocessing.ForCrop(height ?? info.InputSize?.Height ?? Imaging.ImagePreprocessing.ImageNet.CropTo);
        if (channels == 1 && !preprocessing.Grayscale)
            preprocessing = preprocessing with { Grayscale = true };
        if (imageSize is int size)
        {
            if ((height is int fixedH && fixedH != size) || (width is int fixedW && fixedW != size))
                throw new ArgumentException($"{path} takes {height}x{width} inputs; got {size}x{size}.", nameof(imageSize));
            preprocessing = preprocessing.WithCrop(size);
        }
        if ((height is int h && h != preprocessing.CropTo) || (width is int w && w != preprocessing.CropTo))
            throw new OnnxModelException(path, $"input is {height}x{width} but the preprocessing crops to {preprocessing.CropTo}x{preprocessing.CropTo}.");
        var modelInfo = new ImageModelInfo(System.IO.Path.GetFileName(path), "onnxruntime (cpu)", channels, preprocessing, outputs);
        return new OnnxModelDescription(inputName, height, width, modelInfo, metadata);
    }

    /// <summary>
    /// Every output must be float32 (N, size). A file <c>resnet export</c> wrote says what its outputs are: the
    /// metadata's head descriptions (<see cref="HeadDescription"/>) name one output per head, else the first
    /// output is a plain classifier's logits over "class_names"; "embedding" is the pooled features. Another
    /// output (a file from elsewhere) is read as values without labels.
    /// </summary>
    private static List<ModelOutput> Outputs(string path, InferenceSession session, ExportedModelInfo info, IReadOnlyDictionary<string, string> metadata)
    {
        var heads = Heads(path, metadata);
        var outputs = new List<ModelOutput>();
        foreach (var name in session.OutputNames)
        {
            var output = session.OutputMetadata[name];
            if (!output.IsTensor || output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 2)
                throw new OnnxModelException(path, $"output \"{name}\" is {Describe(output)}; expected float32 values of shape (N, size).");
            int? size = output.Dimensions[1] > 0 ? output.Dimensions[1] : null;
            if (size > MaxOutputSize)
                throw new OnnxModelException(path, $"output \"{name}\" has {size} values per image; at most {MaxOutputSize} are read.");
            var described = heads?.FirstOrDefault(h => h.Name == name) is { } head ? ModelOutput.Of(head)
                : name == ModelOutput.EmbeddingName ? ModelOutput.Embedding(size ?? throw new OnnxModelException(path, $"output \"{name}\" has no fixed size."))
                : heads is null && outputs.Count == 0 ? Classifier(path, name, size, info)
                : new ModelOutput(name, OutputKind.Values, size ?? throw new OnnxModelException(path, $"output \"{name}\" has no fixed size and the metadata does not describe it."));
            if (size is int fixedSize && fixedSize != described.Size)
                throw new OnnxModelException(path, $"output \"{name}\" has {fixedSize} values per image but the metadata describes {described.Size}.");
            outputs.Add(described);
        }
        if (heads?.FirstOrDefault(h => outputs.All(o => o.Name != h.Name)) is { } missing)
            throw new OnnxModelException(path, $"metadata describes head \"{missing.Name}\" but the graph has no output of that name; its outputs are {string.Join(", ", outputs.Select(o => $"\"{o.Name}\""))}.");
        return outputs;
    }

    /// <summary>A plain classifier's logits (the first output of a file without head descriptions), named by "class_names" or numbered.</summary>
    private static ModelOutput Classifier(string path, string name, int? size, ExportedModelInfo info)
    {
        int classes = size ?? info.ClassNames?.Count
            ?? throw new OnnxModelException(path, $"output \"{name}\" has no fixed class count and the metadata has no class_names.");
        if (info.ClassNames is { } names && names.Count != classes)
            throw new OnnxModelException(path, $"metadata class_names has {names.Count} names; the output has {classes} classes.");
        return new ModelOutput(name, OutputKind.Classification, classes, info.ClassNames ?? ClassScore.IndexNames(classes));
    }

    private static IReadOnlyList<HeadDescription>? Heads(string path, IReadOnlyDictionary<string, string> metadata)
    {
        try
        {
            return metadata.TryGetValue(HeadDescription.MetadataKey, out var json) ? HeadDescription.FromJson(json, path) : null;
        }
        catch (FormatException e)
        {
            throw new OnnxModelException(path, e.Message.StartsWith($"{path}: ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message, e);
        }
    }

    private static Dictionary<string, string> ReadMetadata(InferenceSession session, string path)
    {
        try
        {
            return session.ModelMetadata.CustomMetadataMap;
        }
        catch (NullReferenceException e)
        {
            // ONNX Runtime's C# wrapper fails this way when a model-level string (e.g. the producer name) is absent.
            throw new OnnxModelException(path, "its model metadata cannot be read by ONNX Runtime", e);
        }
    }

    private static string Describe(NodeMetadata node) =>
        node.IsTensor ? $"a {node.ElementDataType} tensor of rank {node.Dimensions.Length}" : $"a {node.OnnxValueType}";
}
