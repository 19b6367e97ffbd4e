using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ResNetSharp.Inference;

/// <summary>What an ONNX session is as an image model: its input, its outputs and kinds, from the graph and the metadata.</summary>
/// <param name="InputName">The graph input.</param>
/// <param name="FixedHeight">The input height when the graph fixes it (older exports), else null.</param>
/// <param name="FixedWidth">The input width when the graph fixes it, else null.</param>
/// <param name="Info">Channels, preprocessing and outputs.</param>
internal sealed record OnnxModelDescription(string InputName, int? FixedHeight, int? FixedWidth, ImageModelInfo Info)
{
    /// <summary>Outputs by these names are embeddings; every other output is class logits.</summary>
    public static readonly IReadOnlySet<string> EmbeddingNames = new HashSet<string> { "embedding", "embeddings", "features", "pooled", "pre_logits" };

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
        return new OnnxModelDescription(inputName, height, width, modelInfo);
    }

    /// <summary>
    /// Every output must be float32 (N, size). The first classification output takes the metadata's
    /// "class_names"; another takes "class_names.NAME" when present; else the classes are numbered.
    /// </summary>
    private static List<ModelOutput> Outputs(string path, InferenceSession session, ExportedModelInfo info, IReadOnlyDictionary<string, string> metadata)
    {
        var outputs = new List<ModelOutput>();
        foreach (var name in session.OutputNames)
        {
            var output = session.OutputMetadata[name];
            if (!output.IsTensor || output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 2)
                throw new OnnxModelException(path, $"output \"{name}\" is {Describe(output)}; expected float32 logits of shape (N, classes).");
            if (EmbeddingNames.Contains(name))
            {
                int dimensions = output.Dimensions[1] > 0 ? output.Dimensions[1]
                    : throw new OnnxModelException(path, $"output \"{name}\" has no fixed size.");
                CheckSize(path, name, dimensions);
                outputs.Add(new ModelOutput(name, OutputKind.Embedding, dimensions));
                continue;
            }
            bool first = outputs.All(o => o.Kind != OutputKind.Classification);
            var names = metadata.ContainsKey($"class_names.{name}") ? ClassNames(path, metadata, $"class_names.{name}")
                : first ? info.ClassNames : null;
            int classes = output.Dimensions[1] > 0 ? output.Dimensions[1] : names?.Count
                ?? throw new OnnxModelException(path, $"output \"{name}\" has no fixed class count and the metadata has no class_names.");
            CheckSize(path, name, classes);
            if (names is not null && names.Count != classes)
                throw new OnnxModelException(path, $"metadata class_names has {names.Count} names; the output has {classes} classes.");
            outputs.Add(new ModelOutput(name, OutputKind.Classification, classes, names ?? ClassScore.IndexNames(classes)));
        }
        return outputs;
    }

    private static void CheckSize(string path, string output, int size)
    {
        if (size > MaxOutputSize)
            throw new OnnxModelException(path, $"output \"{output}\" has {size} values per image; at most {MaxOutputSize} are read.");
    }

    private static IReadOnlyList<string> ClassNames(string path, IReadOnlyDictionary<string, string> metadata, string key)
    {
        try
        {
            var names = JsonSerializer.Deserialize<string[]>(metadata[key]) ?? throw new JsonException("null");
            return names.Contains(null) ? throw new JsonException("a class name is null") : names;
        }
        catch (JsonException e)
        {
            throw new OnnxModelException(path, $"metadata \"{key}\" is malformed ({e.Message}): {metadata[key]}", e);
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
