using System.Text.Json;
using ResNetSharp.Cli.Output;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// What resnet predict prints, from any <see cref="IImageModel"/> (TorchSharp or ONNX Runtime): a plain
/// classifier's logits and top-k as always, or for a network with named heads every head's outputs by name.
/// Touches no TorchSharp type, so the ONNX path loads no libtorch.
/// </summary>
internal static class PredictionReports
{
    /// <summary>Classes per classification output, whether to print JSON, and how many rows of a .npy array run at once.</summary>
    public sealed record Settings(int TopK, bool Json, int BatchSize = 64);

    /// <summary>
    /// Everything --json prints for named heads: each head's outputs (one row per input; a regression head's in its
    /// targets' units) and, for classification heads, the top classes.
    /// </summary>
    public sealed record Report(string Model, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, List<float[]>> Outputs,
        IReadOnlyDictionary<string, List<IReadOnlyList<ClassScore>>> Top);

    /// <summary>
    /// Runs <paramref name="model"/> on each input and prints the answers: the plain classifier's report unless
    /// the model has <paramref name="namedHeads"/>; <paramref name="classNames"/> renames a plain classifier's classes.
    /// </summary>
    public static void Write(IImageModel model, IReadOnlyList<string> inputs, bool namedHeads, IReadOnlyList<string>? classNames, Settings settings, TextWriter output)
    {
        var info = model.Info;
        if (info.HeadOutputs.Count == 0)
            throw new UsageException($"{info.Name} has no classifier or heads, only an embedding; use resnet embed.");
        var rows = Run(model, inputs, settings.BatchSize);
        if (namedHeads)
            WriteHeads(HeadsReport(info, rows, settings.TopK), settings.Json, output);
        else
            WriteClassifier(ClassifierReport(info, rows, settings.TopK, classNames), settings.Json, output);
    }

    /// <summary>
    /// One prediction per image file (prepared with the model's preprocessing) or per sample of a preprocessed .npy
    /// batch, named by the input; an array runs <paramref name="batchSize"/> rows at a time, so a large file never
    /// becomes one huge forward pass.
    /// </summary>
    public static List<(string Input, Prediction Prediction)> Run(IImageModel model, IReadOnlyList<string> inputs, int batchSize = 64)
    {
        var info = model.Info;
        var rows = new List<(string, Prediction)>();
        foreach (var input in inputs)
        {
            var batch = PredictCommand.IsNpy(input) ? PredictCommand.ReadNpy(input, info.InChannels)
                : new ImageBatch(info.Preprocessing.Prepare(ImageDecoder.Decode(input), info.InChannels), 1, info.InChannels,
                    info.Preprocessing.CropTo, info.Preprocessing.CropTo);
            for (int first = 0; first < batch.Count; first += batchSize)
            {
                var predictions = model.Predict(batch.Slice(first, Math.Min(batchSize, batch.Count - first)));
                for (int row = 0; row < predictions.Count; row++)
                    rows.Add((batch.Count == 1 ? input : $"{input}[{first + row}]", predictions[row]));
            }
        }
        return rows;
    }

    private static PredictCommand.PredictionReport ClassifierReport(ImageModelInfo info, List<(string Input, Prediction Prediction)> rows, int k,
        IReadOnlyList<string>? classNames)
    {
        var classifier = info.Classification ?? throw new UsageException($"{info.Name} has no classification output.");
        var names = classNames ?? classifier.Labels ?? ClassScore.IndexNames(classifier.Size);
        var logits = rows.Select(r => r.Prediction.Outputs[classifier.Name]).ToList();
        return new PredictCommand.PredictionReport(info.Name, rows.Select(r => r.Input).ToList(), logits,
            logits.Select(l => ClassScore.TopK(l, Math.Min(k, l.Length), names)).ToList());
    }

    private static Report HeadsReport(ImageModelInfo info, List<(string Input, Prediction Prediction)> rows, int k) => new(
        info.Name, rows.Select(r => r.Input).ToList(),
        info.HeadOutputs.ToDictionary(o => o.Name, o => rows.Select(r => r.Prediction.Outputs[o.Name]).ToList()),
        info.HeadOutputs.Where(o => o.Kind == OutputKind.Classification)
            .ToDictionary(o => o.Name, o => rows.Select(r => r.Prediction.Top(k, o.Name)).ToList()));

    private static void WriteClassifier(PredictCommand.PredictionReport report, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            return;
        }
        for (int i = 0; i < report.Inputs.Count; i++)
            output.WriteLine($"{report.Inputs[i]}: " + string.Join(", ", report.Top[i].Select(p => $"{p.Name} {p.Probability:P1}")));
    }

    private static void WriteHeads(Report report, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            return;
        }
        for (int i = 0; i < report.Inputs.Count; i++)
            output.WriteLine($"{report.Inputs[i]}: " + string.Join("; ", report.Outputs.Keys.Select(head => report.Top.TryGetValue(head, out var top)
                ? $"{head} {string.Join(", ", top[i].Take(1).Select(p => $"{p.Name} {p.Probability:P1}"))}"
                : $"{head} {string.Join(" ", report.Outputs[head][i].Select(v => v.ToString("G4")))}")));
    }
}
