using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet predict: top-k classes for image files or preprocessed .npy arrays, with TorchSharp or an exported ONNX model.</summary>
public static class PredictCommand
{
    /// <summary>Everything --json prints.</summary>
    public sealed record PredictionReport(string Model, IReadOnlyList<string> Inputs, IReadOnlyList<float[]> Logits, IReadOnlyList<IReadOnlyList<ClassScore>> Top);

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Run an exported ONNX model with ONNX Runtime instead (no libtorch; replaces --model and --weights)" };
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, or .npy float32 NCHW arrays already preprocessed", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k", "-k") { Description = "Classes to show per input", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with logits and top-k" };
        var command = new Command("predict", "Classify images or .npy arrays");
        model.AddTo(command);
        command.Add(onnx);
        command.Add(topK);
        command.Add(json);
        command.Add(inputs);
        command.SetAction(parsed =>
        {
            OptionChecks.AtLeast(parsed.GetValue(topK), 1, "--top-k");
            var files = parsed.GetValue(inputs)!;
            if (parsed.GetValue(onnx) is not null)
                RefuseModelOptions(model, parsed);
            var heads = parsed.GetValue(onnx) is { } headsOnnx ? HeadPredictions.WithOnnx(headsOnnx, model, parsed, files, parsed.GetValue(topK))
                : model.Heads(parsed) is not null ? HeadPredictions.WithTorch(model, parsed, files, parsed.GetValue(topK)) : null;
            if (heads is not null)
            {
                HeadPredictions.Write(heads, parsed.GetValue(json), output);
                return 0;
            }
            var (name, rows, logits, classNames) = parsed.GetValue(onnx) is { } onnxFile
                ? PredictWithOnnx(onnxFile, model, parsed, files)
                : PredictWithTorch(model, parsed, files);
            int k = Math.Min(parsed.GetValue(topK), classNames.Count);
            var top = logits.Select(l => ClassScore.TopK(l, k, classNames)).ToList();
            var report = new PredictionReport(name, rows, logits, top);
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else
                for (int i = 0; i < rows.Count; i++)
                    output.WriteLine($"{rows[i]}: " + string.Join(", ", top[i].Select(p => $"{p.Name} {p.Probability:P1}")));
            return 0;
        });
        return command;
    }

    private sealed record Predictions(string Model, List<string> Rows, List<float[]> Logits, IReadOnlyList<string> ClassNames);

    private static Predictions PredictWithTorch(InferenceModelOptions model, ParseResult parsed, string[] files)
    {
        using var loaded = model.Load(parsed);
        var predictions = new Predictions(loaded.Name, [], [], loaded.ClassNames);
        foreach (var input in files)
        {
            using var scope = NewDisposeScope();
            var x = ReadInput(input, loaded);
            using (no_grad())
                Add(predictions, input, loaded.Model.call(x).to(ScalarType.Float32).cpu().data<float>().ToArray(), (int)x.shape[0]);
        }
        return predictions;
    }

    /// <summary>The ONNX path touches no TorchSharp type, so libtorch is never loaded.</summary>
    private static Predictions PredictWithOnnx(FileInfo file, InferenceModelOptions model, ParseResult parsed, string[] files)
    {
        using var classifier = OnnxClassifier.Open(file.FullName);
        if (model.ImageSize(parsed) is int size)
            classifier.UseImageSize(size);
        var classNames = model.ClassNamesFile(parsed) is { } names
            ? InferenceModelOptions.ReadClassNames(names, classifier.ClassNames.Count)
            : classifier.ClassNames;
        var predictions = new Predictions(file.Name, [], [], classNames);
        foreach (var input in files)
        {
            if (IsNpy(input))
            {
                var (data, shape) = NpyFile.ReadFloat32(input);
                CheckNpyShape(input, shape, classifier.InChannels);
                Add(predictions, input, classifier.Run(data, (int)shape[0], (int)shape[2], (int)shape[3]).SelectMany(r => r).ToArray(), (int)shape[0]);
            }
            else
                Add(predictions, input, classifier.ClassifyFiles([input])[0], 1);
        }
        return predictions;
    }

    private static void Add(Predictions predictions, string input, float[] logits, int samples)
    {
        int classes = logits.Length / samples;
        for (int row = 0; row < samples; row++)
        {
            predictions.Rows.Add(samples == 1 ? input : $"{input}[{row}]");
            predictions.Logits.Add(logits[(row * classes)..((row + 1) * classes)]);
        }
    }

    /// <summary>--onnx runs the file as it is: the options that pick or place a TorchSharp model are refused with it.</summary>
    private static void RefuseModelOptions(InferenceModelOptions model, ParseResult parsed)
    {
        var conflicting = model.GivenModelOptions(parsed).ToList();
        if (conflicting.Count > 0)
            throw new UsageException($"--onnx runs the exported model as it is; drop {string.Join(", ", conflicting)}.");
    }

    private static Tensor ReadInput(string input, LoadedModel loaded) =>
        ReadInput(input, loaded.Model.Spec.InChannels, loaded.Device, loaded.Preprocessing, loaded.Prepare);

    /// <summary>An image file (preprocessed) or a preprocessed .npy array as a batch on <paramref name="device"/>.</summary>
    internal static Tensor ReadInput(string input, int channels, Device device, ImagePreprocessing preprocessing, Func<Tensor, Tensor> prepare)
    {
        if (IsNpy(input))
        {
            var (data, shape) = NpyFile.ReadFloat32(input);
            CheckNpyShape(input, shape, channels);
            return tensor(data, shape).to(device);
        }
        using var pixels = preprocessing.ResizeAndCrop(ImageDecoder.Decode(input)).ToTensor().unsqueeze(0);
        return prepare(pixels);
    }

    internal static bool IsNpy(string input) => Path.GetExtension(input).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    internal static void CheckNpyShape(string input, long[] shape, int channels)
    {
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != channels)
            throw new FormatException($"{input}: shape ({string.Join(", ", shape)}); expected (N, {channels}, H, W), preprocessed.");
    }
}
