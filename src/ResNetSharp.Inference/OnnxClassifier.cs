using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ResNetSharp.Imaging;

namespace ResNetSharp.Inference;

/// <summary>
/// An image classifier exported to ONNX (one float32 NCHW input, logits of shape (N, classes) out), run
/// with ONNX Runtime on the CPU. Images are prepared exactly as in training (<see cref="ImagePreprocessing"/>),
/// from the file's metadata when <c>resnet export</c> wrote it. No libtorch is involved.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly int? _fixedHeight;
    private readonly int? _fixedWidth;

    private OnnxClassifier(string path, InferenceSession session, string inputName, string outputName, int inChannels,
        int? fixedHeight, int? fixedWidth, IReadOnlyList<string> classNames, ImagePreprocessing preprocessing)
    {
        Path = path;
        _session = session;
        _inputName = inputName;
        _outputName = outputName;
        InChannels = inChannels;
        _fixedHeight = fixedHeight;
        _fixedWidth = fixedWidth;
        ClassNames = classNames;
        Preprocessing = preprocessing;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>Channels of the input (3 for RGB models, 1 for grayscale ones).</summary>
    public int InChannels { get; }

    /// <summary>Output names by index: from the metadata, else "0", "1", ...</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How images are prepared; from the metadata, else torchvision's ImageNet eval transform at the model's input size.</summary>
    public ImagePreprocessing Preprocessing { get; private set; }

    /// <summary>
    /// Loads and checks <paramref name="path"/>. A missing file, a file ONNX Runtime cannot load, or a
    /// model that is not a one-input classifier is an <see cref="OnnxModelException"/> naming the file.
    /// </summary>
    public static OnnxClassifier Open(string path, SessionOptions? options = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model not found: {path}", path);
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(path) : new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(path, $"not a model ONNX Runtime can load ({e.Message.Trim()})", e);
        }
        try
        {
            return Describe(path, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Uses another crop size (the ImageNet resize ratio), keeping mean, std and grayscale.</summary>
    public void UseImageSize(int crop)
    {
        if (crop < 1)
            throw new ArgumentOutOfRangeException(nameof(crop), $"image size must be 1 or more; got {crop}.");
        CheckSize(crop, crop);
        Preprocessing = ImagePreprocessing.ForCrop(crop) with { Mean = Preprocessing.Mean, Std = Preprocessing.Std, Grayscale = Preprocessing.Grayscale };
    }

    /// <summary>Logits, one array per image, for images decoded from files.</summary>
    public float[][] ClassifyFiles(IReadOnlyList<string> paths) =>
        Classify(paths.Select(p => ImageDecoder.Decode(p)).ToList());

    /// <summary>Logits, one array per image, all images in one batch.</summary>
    public float[][] Classify(IReadOnlyList<DecodedImage> images)
    {
        int size = Preprocessing.CropTo, sample = InChannels * size * size;
        var input = new float[images.Count * sample];
        Parallel.For(0, images.Count, i =>
            Preprocessing.Normalize(Preprocessing.ResizeAndCrop(images[i]), input.AsSpan(i * sample, sample), InChannels));
        return Run(input, images.Count, size, size);
    }

    /// <summary>The model's outputs in order; a model exported with named heads has one per head, named after it.</summary>
    public IReadOnlyList<string> OutputNames => _session.OutputMetadata.Keys.ToList();

    /// <summary>What each head of a multi-head model means (kind, class names), from the metadata; null for a plain classifier.</summary>
    public IReadOnlyList<HeadDescription>? Heads { get; private init; }

    /// <summary>Every output, by name, one array per image, for images decoded from files (all in one batch).</summary>
    public IReadOnlyDictionary<string, float[][]> RunFiles(IReadOnlyList<string> paths)
    {
        var images = paths.Select(p => ImageDecoder.Decode(p)).ToList();
        int size = Preprocessing.CropTo, sample = InChannels * size * size;
        var input = new float[images.Count * sample];
        Parallel.For(0, images.Count, i =>
            Preprocessing.Normalize(Preprocessing.ResizeAndCrop(images[i]), input.AsSpan(i * sample, sample), InChannels));
        return RunOutputs(input, images.Count, size, size);
    }

    /// <summary>Every output, by name, one array per sample, for a preprocessed float32 batch (batch, <see cref="InChannels"/>, height, width).</summary>
    public IReadOnlyDictionary<string, float[][]> RunOutputs(float[] input, int batch, int height, int width)
    {
        if (batch < 1 || input.Length != (long)batch * InChannels * height * width)
            throw new ArgumentException($"{input.Length} values do not make a ({batch}, {InChannels}, {height}, {width}) batch.", nameof(input));
        CheckSize(height, width);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, InChannels, height, width]);
        try
        {
            var names = OutputNames;
            using var results = _session.Run(new RunOptions(), [_inputName], [value], names.ToArray());
            var outputs = new Dictionary<string, float[][]>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                var shape = results[i].GetTensorTypeAndShape().Shape;
                if (shape.Length != 2 || shape[0] != batch)
                    throw new OnnxModelException(Path, $"output \"{names[i]}\" has shape ({string.Join(", ", shape)}); expected ({batch}, N).");
                var data = results[i].GetTensorDataAsSpan<float>();
                int size = (int)shape[1];
                var rows = new float[batch][];
                for (int row = 0; row < batch; row++)
                    rows[row] = data.Slice(row * size, size).ToArray();
                outputs[names[i]] = rows;
            }
            return outputs;
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(Path, $"ONNX Runtime failed on a ({batch}, {InChannels}, {height}, {width}) input ({e.Message.Trim()})", e);
        }
    }

    /// <summary>Logits for a preprocessed float32 batch laid out (batch, <see cref="InChannels"/>, height, width).</summary>
    public float[][] Run(float[] input, int batch, int height, int width)
    {
        if (batch < 1 || input.Length != (long)batch * InChannels * height * width)
            throw new ArgumentException($"{input.Length} values do not make a ({batch}, {InChannels}, {height}, {width}) batch.", nameof(input));
        CheckSize(height, width);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, InChannels, height, width]);
        try
        {
            using var results = _session.Run(new RunOptions(), [_inputName], [value], [_outputName]);
            var shape = results[0].GetTensorTypeAndShape().Shape;
            if (shape.Length != 2 || shape[0] != batch || shape[1] != ClassNames.Count)
                throw new OnnxModelException(Path, $"output has shape ({string.Join(", ", shape)}); expected ({batch}, {ClassNames.Count}).");
            var logits = results[0].GetTensorDataAsSpan<float>();
            var rows = new float[batch][];
            for (int row = 0; row < batch; row++)
                rows[row] = logits.Slice(row * ClassNames.Count, ClassNames.Count).ToArray();
            return rows;
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(Path, $"ONNX Runtime failed on a ({batch}, {InChannels}, {height}, {width}) input ({e.Message.Trim()})", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private void CheckSize(int height, int width)
    {
        if ((_fixedHeight is int h && h != height) || (_fixedWidth is int w && w != width))
            throw new ArgumentException($"{Path} takes {_fixedHeight}x{_fixedWidth} inputs; got {height}x{width}.");
    }

    private static OnnxClassifier Describe(string path, InferenceSession session)
    {
        if (session.InputMetadata.Count != 1)
            throw new OnnxModelException(path, $"has {session.InputMetadata.Count} inputs; an image classifier has one (N, C, H, W) input.");
        var (inputName, input) = session.InputMetadata.Single();
        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 4)
            throw new OnnxModelException(path, $"input \"{inputName}\" is {Describe(input)}; expected a float32 (N, C, H, W) tensor.");
        int channels = input.Dimensions[1];
        if (channels is not (1 or 3))
            throw new OnnxModelException(path, $"input \"{inputName}\" has {channels} channels; expected 1 or 3.");
        var (outputName, output) = session.OutputMetadata.First();
        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 2)
            throw new OnnxModelException(path, $"output \"{outputName}\" is {Describe(output)}; expected float32 logits of shape (N, classes).");

        var info = ExportedModelInfo.Parse(ReadMetadata(session, path), path);
        int classes = output.Dimensions[1] > 0 ? output.Dimensions[1] : info.ClassNames?.Count
            ?? throw new OnnxModelException(path, $"output \"{outputName}\" has no fixed class count and the metadata has no class_names.");
        if (info.ClassNames is { } names && names.Count != classes)
            throw new OnnxModelException(path, $"metadata class_names has {names.Count} names; the output has {classes} classes.");
        int? height = input.Dimensions[2] > 0 ? input.Dimensions[2] : null, width = input.Dimensions[3] > 0 ? input.Dimensions[3] : null;

        var preprocessing = info.Preprocessing
            ?? ImagePreprocessing.ForCrop(height ?? info.InputSize?.Height ?? ImagePreprocessing.ImageNet.CropTo);
        if (channels == 1 && !preprocessing.Grayscale)
            preprocessing = preprocessing with { Grayscale = true };
        if ((height is int h && h != preprocessing.CropTo) || (width is int w && w != preprocessing.CropTo))
            throw new OnnxModelException(path, $"input is {height}x{width} but the preprocessing crops to {preprocessing.CropTo}x{preprocessing.CropTo}.");
        var classNames = info.ClassNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var metadata = ReadMetadata(session, path);
        return new OnnxClassifier(path, session, inputName, outputName, channels, height, width, classNames, preprocessing) { Heads = HeadsOf(metadata, path) };
    }

    private static IReadOnlyList<HeadDescription>? HeadsOf(IReadOnlyDictionary<string, string> metadata, string path)
    {
        try
        {
            return metadata.TryGetValue(HeadDescription.MetadataKey, out var json) ? HeadDescription.FromJson(json, path) : null;
        }
        catch (FormatException e)
        {
            throw new OnnxModelException(path, e.Message, e);
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
