using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet predict: what a model says about image files or preprocessed .npy arrays, with TorchSharp or an
/// exported ONNX model; both run as an <see cref="IImageModel"/>, so they answer alike (and as resnet serve does).
/// </summary>
public static class PredictCommand
{
    /// <summary>Everything --json prints for a plain classifier (no named heads).</summary>
    public sealed record PredictionReport(string Model, IReadOnlyList<string> Inputs, IReadOnlyList<float[]> Logits, IReadOnlyList<IReadOnlyList<ClassScore>> Top);

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Run an exported ONNX model with ONNX Runtime instead (no libtorch; replaces --model and --weights)" };
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders of images (searched recursively), or .npy float32 NCHW arrays already preprocessed", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k", "-k") { Description = "Classes to show per input (and per classification head)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: logits and top-k, or for named heads every head's outputs and top-k" };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Rows of a .npy array run at once", DefaultValueFactory = _ => 64 };
        var command = new Command("predict", "Classify images, folders of images or .npy arrays (every head's outputs for a network with named heads)");
        model.AddTo(command);
        command.Add(onnx);
        command.Add(topK);
        command.Add(json);
        command.Add(batch);
        command.Add(inputs);
        command.SetAction(parsed =>
        {
            var settings = new PredictionReports.Settings(OptionChecks.AtLeast(parsed.GetValue(topK), 1, "--top-k"), parsed.GetValue(json),
                OptionChecks.AtLeast(parsed.GetValue(batch), 1, "--batch-size"));
            var files = parsed.GetValue(inputs)!;
            if (parsed.GetValue(onnx) is { } onnxFile)
                PredictWithOnnx(onnxFile, model, parsed, files, settings, output);
            else
                PredictWithTorch(model, parsed, files, settings, output);
            return 0;
        });
        return command;
    }

    private static void PredictWithTorch(InferenceModelOptions model, ParseResult parsed, string[] files, PredictionReports.Settings settings, TextWriter output)
    {
        bool namedHeads = model.Heads(parsed) is not null;
        using var loaded = model.LoadImageModel(parsed);
        PredictionReports.Write(loaded, ImageInputs.Expand(files), namedHeads, classNames: null, settings, output);
    }

    /// <summary>The ONNX path touches no TorchSharp type, so libtorch is never loaded.</summary>
    private static void PredictWithOnnx(FileInfo file, InferenceModelOptions model, ParseResult parsed, string[] files, PredictionReports.Settings settings, TextWriter output)
    {
        var conflicting = model.GivenModelOptions(parsed).ToList();
        if (conflicting.Count > 0)
            throw new UsageException($"--onnx runs the exported model as it is; drop {string.Join(", ", conflicting)}.");
        using var classifier = OnnxClassifier.Open(file.FullName, imageSize: model.ImageSize(parsed));
        bool namedHeads = classifier.Metadata.ContainsKey(HeadDescription.MetadataKey);
        IReadOnlyList<string>? classNames = null;
        if (model.ClassNamesFile(parsed) is { } names)
        {
            if (namedHeads)
                throw new UsageException($"{file.FullName} names its heads' classes; drop --class-names.");
            var classifierOutput = classifier.Info.Classification ?? throw new UsageException($"{file.FullName} has no classification output; drop --class-names.");
            classNames = InferenceModelOptions.ReadClassNames(names, classifierOutput.Size);
        }
        PredictionReports.Write(classifier, ImageInputs.Expand(files), namedHeads, classNames, settings, output);
    }

    /// <summary>A preprocessed .npy array as a batch: float32 (N, <paramref name="channels"/>, H, W).</summary>
    internal static ImageBatch ReadNpy(string input, int channels)
    {
        var (data, shape) = NpyFile.ReadFloat32(input);
        CheckNpyShape(input, shape, channels);
        return new ImageBatch(data, (int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3]);
    }

    internal static bool IsNpy(string input) => Path.GetExtension(input).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    internal static void CheckNpyShape(string input, long[] shape, int channels)
    {
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != channels || shape[2..].Any(d => d is < 1 or > ImagePreprocessing.MaxSide))
            throw new FormatException($"{input}: shape ({string.Join(", ", shape)}); expected (N, {channels}, H, W), preprocessed, with sides of 1 to {ImagePreprocessing.MaxSide}.");
    }
}
