using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Imaging;
using ResNetSharp.IO;

namespace ResNetSharp.Inference;

/// <summary>
/// An image model exported to ONNX (one float32 NCHW input; float32 (N, size) outputs by name: class logits,
/// or one output per head as the metadata's head descriptions say, and the embedding when the graph has one),
/// run with ONNX Runtime; <see cref="IImageModel.Info"/> says what each output is. Images are prepared exactly as in
/// training (<see cref="ImagePreprocessing"/>), from the file's metadata when <c>resnet export</c> wrote it.
/// No libtorch is involved. Immutable once opened, so one instance serves any number of threads.
/// </summary>
public sealed class OnnxClassifier : IImageModel
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly int? _fixedHeight;
    private readonly int? _fixedWidth;

    private OnnxClassifier(string path, InferenceSession session, OnnxModelDescription description)
    {
        Path = path;
        _session = session;
        _inputName = description.InputName;
        _fixedHeight = description.FixedHeight;
        _fixedWidth = description.FixedWidth;
        Info = description.Info;
        Metadata = description.Metadata;
    }

    /// <summary>The model file (or the name given to <see cref="Load"/>).</summary>
    public string Path { get; }

    /// <inheritdoc />
    public ImageModelInfo Info { get; }

    /// <summary>
    /// The file's custom metadata as it holds it (what <see cref="Info"/> is read from: "class_names",
    /// "preprocessing", "heads" for a network with named heads, and any key another tool wrote).
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Channels of the input (3 for RGB models, 1 for grayscale ones).</summary>
    public int InChannels => Info.InChannels;

    /// <summary>Class names of the first classification output: from the metadata, else "0", "1", ...</summary>
    public IReadOnlyList<string> ClassNames => Classification.Labels!;

    /// <summary>How images are prepared: from the metadata, else torchvision's ImageNet eval transform at the model's input size.</summary>
    public ImagePreprocessing Preprocessing => Info.Preprocessing;

    /// <summary>
    /// Loads and checks <paramref name="path"/>. A missing file, a file ONNX Runtime cannot load, or a
    /// model that is not a one-input image model is an <see cref="OnnxModelException"/> naming the file.
    /// <paramref name="imageSize"/> replaces the crop of the metadata's preprocessing (mean, std and
    /// grayscale stay); graphs with a fixed input size refuse any other.
    /// </summary>
    public static OnnxClassifier Open(string path, SessionOptions? options = null, int? imageSize = null)
    {
        InputFile.RequireRegular(path, "ONNX model");
        return Create(path, imageSize, () => options is null ? new InferenceSession(path) : new InferenceSession(path, options));
    }

    /// <summary>As <see cref="Open"/>, for a model held in memory (e.g. exported just now); <paramref name="name"/> names it in errors.</summary>
    public static OnnxClassifier Load(byte[] model, string name, SessionOptions? options = null, int? imageSize = null) =>
        Create(name, imageSize, () => options is null ? new InferenceSession(model) : new InferenceSession(model, options));

    /// <summary>Logits of the first classification output, one array per image, for images decoded from files.</summary>
    public float[][] ClassifyFiles(IReadOnlyList<string> paths) =>
        Classify(paths.Select(p => ImageDecoder.Decode(p)).ToList());

    /// <summary>Logits of the first classification output, one array per image, all images in one batch.</summary>
    public float[][] Classify(IReadOnlyList<DecodedImage> images)
    {
        var prepared = new float[images.Count][];
        Parallel.For(0, images.Count, i => prepared[i] = Preprocessing.Prepare(images[i], InChannels));
        int size = Preprocessing.CropTo;
        return Logits(Predict(ImageBatch.Stack(prepared, InChannels, size, size)));
    }

    /// <summary>Logits of the first classification output for a preprocessed float32 batch laid out (batch, <see cref="InChannels"/>, height, width).</summary>
    public float[][] Run(float[] input, int batch, int height, int width) =>
        Logits(Predict(new ImageBatch(input, batch, InChannels, height, width)));

    /// <inheritdoc />
    public IReadOnlyList<Prediction> Predict(ImageBatch batch)
    {
        if (batch.Channels != InChannels)
            throw new ArgumentException($"{Path} takes {InChannels}-channel inputs; got {batch.Channels}.", nameof(batch));
        if ((_fixedHeight is int h && h != batch.Height) || (_fixedWidth is int w && w != batch.Width))
            throw new ArgumentException($"{Path} takes {_fixedHeight}x{_fixedWidth} inputs; got {batch.Height}x{batch.Width}.", nameof(batch));
        var outputs = Info.Outputs;
        using var value = OrtValue.CreateTensorValueFromMemory(batch.Values, [batch.Count, batch.Channels, batch.Height, batch.Width]);
        using var runOptions = new RunOptions();
        try
        {
            using var results = _session.Run(runOptions, [_inputName], [value], outputs.Select(o => o.Name).ToArray());
            var rows = Enumerable.Range(0, batch.Count).Select(_ => new Dictionary<string, float[]>(outputs.Count)).ToArray();
            for (int o = 0; o < outputs.Count; o++)
            {
                var shape = results[o].GetTensorTypeAndShape().Shape;
                int size = outputs[o].Size;
                if (shape.Length != 2 || shape[0] != batch.Count || shape[1] != size)
                    throw new OnnxModelException(Path, $"output \"{outputs[o].Name}\" has shape ({string.Join(", ", shape)}); expected ({batch.Count}, {size}).");
                var data = results[o].GetTensorDataAsSpan<float>();
                for (int row = 0; row < batch.Count; row++)
                    rows[row][outputs[o].Name] = data.Slice(row * size, size).ToArray();
            }
            return rows.Select(r => new Prediction(r, Info)).ToList();
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(Path, $"ONNX Runtime failed on a ({batch.Count}, {batch.Channels}, {batch.Height}, {batch.Width}) input ({e.Message.Trim()})", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private ModelOutput Classification =>
        Info.Classification ?? throw new InvalidOperationException($"{Path} has no classification output; its outputs are {string.Join(", ", Info.Outputs.Select(o => o.Name))}.");

    private float[][] Logits(IReadOnlyList<Prediction> predictions)
    {
        string name = Classification.Name;
        return predictions.Select(p => p.Outputs[name]).ToArray();
    }

    private static OnnxClassifier Create(string path, int? imageSize, Func<InferenceSession> open)
    {
        if (imageSize is < 1 or > ImagePreprocessing.MaxSide)
            throw new ArgumentOutOfRangeException(nameof(imageSize), $"image size must be 1 to {ImagePreprocessing.MaxSide}; got {imageSize}.");
        InferenceSession session;
        try
        {
            session = open();
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(path, $"not a model ONNX Runtime can load ({e.Message.Trim()})", e);
        }
        try
        {
            return new OnnxClassifier(path, session, OnnxModelDescription.Read(path, session, imageSize));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
