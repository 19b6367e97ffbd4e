using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Data.Images;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet predict: top-k classes for image files or preprocessed .npy arrays.</summary>
public static class PredictCommand
{
    /// <summary>One class in a top-k list.</summary>
    public sealed record Prediction(int Index, string Name, double Probability);

    /// <summary>Everything --json prints.</summary>
    public sealed record PredictionReport(string Model, IReadOnlyList<string> Inputs, IReadOnlyList<float[]> Logits, IReadOnlyList<IReadOnlyList<Prediction>> Top);

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, or .npy float32 NCHW arrays already preprocessed", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k", "-k") { Description = "Classes to show per input", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with logits and top-k" };
        var command = new Command("predict", "Classify images or .npy arrays");
        model.AddTo(command);
        command.Add(topK);
        command.Add(json);
        command.Add(inputs);
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(topK) < 1)
                throw new UsageException($"--top-k must be 1 or more; got {parsed.GetValue(topK)}.");
            using var loaded = model.Load(parsed);
            var names = new List<string>();
            var logits = new List<float[]>();
            foreach (var input in parsed.GetValue(inputs)!)
            {
                using var scope = NewDisposeScope();
                var x = ReadInput(input, loaded);
                using (no_grad())
                {
                    var result = loaded.Model.call(x).to(ScalarType.Float32).cpu();
                    for (int row = 0; row < result.shape[0]; row++)
                    {
                        names.Add(result.shape[0] == 1 ? input : $"{input}[{row}]");
                        logits.Add(result[row].data<float>().ToArray());
                    }
                }
            }
            int k = Math.Min(parsed.GetValue(topK), loaded.ClassNames.Count);
            var top = logits.Select(l => TopK(l, k, loaded.ClassNames)).ToList();
            var report = new PredictionReport(loaded.Name, names, logits, top);
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else
                for (int i = 0; i < names.Count; i++)
                    output.WriteLine($"{names[i]}: " + string.Join(", ", top[i].Select(p => $"{p.Name} {p.Probability:P1}")));
            return 0;
        });
        return command;
    }

    private static Tensor ReadInput(string input, LoadedModel loaded)
    {
        if (Path.GetExtension(input).Equals(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var (data, shape) = NpyFile.ReadFloat32(input);
            if (shape.Length != 4 || shape[1] != loaded.Model.Spec.InChannels)
                throw new FormatException($"{input}: shape ({string.Join(", ", shape)}); expected (N, {loaded.Model.Spec.InChannels}, H, W), preprocessed.");
            return tensor(data, shape).to(loaded.Device);
        }
        using var pixels = loaded.Preprocessing.ResizeAndCrop(ImageDecoder.Decode(input)).unsqueeze(0);
        return loaded.Prepare(pixels);
    }

    private static IReadOnlyList<Prediction> TopK(float[] logits, int k, IReadOnlyList<string> classNames)
    {
        double max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = exp.Sum();
        return Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(k)
            .Select(i => new Prediction(i, classNames[i], exp[i] / sum)).ToList();
    }
}
