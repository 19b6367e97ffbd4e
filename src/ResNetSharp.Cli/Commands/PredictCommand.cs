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
        var batch = new Option<int>("--batch-size", "-b") { Description = "Rows of a .npy array run at once", DefaultValueFactory = _ => 64 };
        var command = new Command("predict", "Classify images or .npy arrays");
        model.AddTo(command);
        command.Add(onnx);
        command.Add(topK);
        command.Add(json);
        command.Add(batch);
        command.Add(inputs);
        command.SetAction(parsed =>
        {
            OptionChecks.AtLeast(parsed.GetValue(topK), 1, "--top-k");
            int batchSize = OptionChecks.AtLeast(parsed.GetValue(batch), 1, "--batch-size");
            var files = parsed.GetValue(inputs)!;
            var (name, rows, logits, classNames) = parsed.GetValue(onnx) is { } onnxFile
                ? PredictWithOnnx(onnxFile, model, parsed, files, batchSize)
                : PredictWithTorch(model, parsed, files, batchSize);
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

    private static Predictions PredictWithTorch(InferenceModelOptions model, ParseResult parsed, string[] files, int batchSize)
    {
        using var loaded = model.Load(parsed);
        var predictions = new Predictions(loaded.Name, [], [], loaded.ClassNames);
        float[] Run(Tensor x)
        {
            using var scope = NewDisposeScope();
            using (no_grad())
                return loaded.Model.call(x.to(loaded.Device)).to(ScalarType.Float32).cpu().data<float>().ToArray();
        }
        foreach (var input in files)
        {
            if (IsNpy(input))
            {
                var array = ReadNpy(input, loaded.Model.Spec.InChannels);
                foreach (var (first, count, values) in array.Batches(batchSize))
                {
                    using var x = tensor(values, [count, .. array.Shape[1..]]);
                    Add(predictions, input, Run(x), first, count, array.Rows);
                }
            }
            else
            {
                using var pixels = loaded.Preprocessing.ResizeAndCrop(ImageDecoder.Decode(input)).ToTensor().unsqueeze(0);
                using var x = loaded.Prepare(pixels);
                Add(predictions, input, Run(x), 0, 1, 1);
            }
        }
        return predictions;
    }

    /// <summary>The ONNX path touches no TorchSharp type, so libtorch is never loaded.</summary>
    private static Predictions PredictWithOnnx(FileInfo file, InferenceModelOptions model, ParseResult parsed, string[] files, int batchSize)
    {
        var conflicting = model.GivenModelOptions(parsed).ToList();
        if (conflicting.Count > 0)
            throw new UsageException($"--onnx runs the exported model as it is; drop {string.Join(", ", conflicting)}.");
        using var classifier = OnnxClassifier.Open(file.FullName, imageSize: model.ImageSize(parsed));
        var classNames = model.ClassNamesFile(parsed) is { } names
            ? InferenceModelOptions.ReadClassNames(names, classifier.ClassNames.Count)
            : classifier.ClassNames;
        var predictions = new Predictions(file.Name, [], [], classNames);
        foreach (var input in files)
        {
            if (IsNpy(input))
            {
                var array = ReadNpy(input, classifier.InChannels);
                foreach (var (first, count, values) in array.Batches(batchSize))
                    Add(predictions, input, classifier.Run(values, count, (int)array.Shape[2], (int)array.Shape[3]).SelectMany(r => r).ToArray(),
                        first, count, array.Rows);
            }
            else
                Add(predictions, input, classifier.ClassifyFiles([input])[0], 0, 1, 1);
        }
        return predictions;
    }

    /// <summary>Adds <paramref name="count"/> rows of logits, the first being row <paramref name="first"/> of an input of <paramref name="total"/> rows.</summary>
    private static void Add(Predictions predictions, string input, float[] logits, int first, int count, int total)
    {
        int classes = logits.Length / count;
        for (int row = 0; row < count; row++)
        {
            predictions.Rows.Add(total == 1 ? input : $"{input}[{first + row}]");
            predictions.Logits.Add(logits[(row * classes)..((row + 1) * classes)]);
        }
    }

    /// <summary>A preprocessed (N, C, H, W) array, run a batch at a time so a large file never becomes one huge forward pass.</summary>
    private sealed record NpyBatches(float[] Data, long[] Shape)
    {
        public int Rows => (int)Shape[0];

        public IEnumerable<(int First, int Count, float[] Values)> Batches(int batchSize)
        {
            long sample = Shape[1] * Shape[2] * Shape[3];
            for (int first = 0; first < Rows; first += batchSize)
            {
                int count = Math.Min(batchSize, Rows - first);
                yield return (first, count, Data[(int)(first * sample)..(int)((first + count) * sample)]);
            }
        }
    }

    private static NpyBatches ReadNpy(string input, int channels)
    {
        var (data, shape) = NpyFile.ReadFloat32(input);
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != channels || shape[2..].Any(d => d is < 1 or > ImagePreprocessing.MaxSide))
            throw new FormatException($"{input}: shape ({string.Join(", ", shape)}); expected (N, {channels}, H, W), preprocessed, with sides of 1 to {ImagePreprocessing.MaxSide}.");
        return new NpyBatches(data, shape);
    }

    private static bool IsNpy(string input) => Path.GetExtension(input).Equals(".npy", StringComparison.OrdinalIgnoreCase);
}
