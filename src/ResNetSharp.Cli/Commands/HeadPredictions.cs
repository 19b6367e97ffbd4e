using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet predict for a network with named heads: every head's outputs by name, with TorchSharp or ONNX Runtime.</summary>
internal static class HeadPredictions
{
    /// <summary>Everything --json prints: each head's outputs (one row per input) and, for classification heads, the top classes.</summary>
    public sealed record Report(string Model, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, List<float[]>> Outputs,
        IReadOnlyDictionary<string, List<IReadOnlyList<ClassScore>>> Top);

    public static Report WithTorch(InferenceModelOptions model, ParseResult parsed, string[] files, int k)
    {
        using var loaded = model.LoadNetwork(parsed);
        var heads = loaded.Network.Heads.Select(h => h.Describe()).ToList();
        var report = Empty(loaded.Name, heads);
        foreach (var input in files)
        {
            using var scope = NewDisposeScope();
            var x = PredictCommand.ReadInput(input, loaded.InChannels, loaded.Device, loaded.Preprocessing, loaded.Prepare);
            using (no_grad())
            {
                var outputs = loaded.Network.call(x);
                Add(report, input, (int)x.shape[0], heads, k, head => outputs[head].cpu().data<float>().ToArray());
            }
        }
        return report;
    }

    /// <summary>Null when the ONNX file is a plain classifier (no heads in its metadata).</summary>
    public static Report? WithOnnx(FileInfo file, InferenceModelOptions model, ParseResult parsed, string[] files, int k)
    {
        using var classifier = OnnxClassifier.Open(file.FullName);
        if (classifier.Heads is not { } heads)
            return null;
        if (model.ImageSize(parsed) is int size)
            classifier.UseImageSize(size);
        var report = Empty(file.Name, heads);
        foreach (var input in files)
        {
            IReadOnlyDictionary<string, float[][]> outputs;
            int rows = 1;
            if (PredictCommand.IsNpy(input))
            {
                var (data, shape) = NpyFile.ReadFloat32(input);
                PredictCommand.CheckNpyShape(input, shape, classifier.InChannels);
                rows = (int)shape[0];
                outputs = classifier.RunOutputs(data, rows, (int)shape[2], (int)shape[3]);
            }
            else
                outputs = classifier.RunFiles([input]);
            Add(report, input, rows, heads, k, head => outputs[head].SelectMany(r => r).ToArray());
        }
        return report;
    }

    public static void Write(Report report, bool json, TextWriter output)
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

    private static Report Empty(string name, IReadOnlyList<HeadDescription> heads) => new(name, new List<string>(),
        heads.ToDictionary(h => h.Name, _ => new List<float[]>()),
        heads.Where(h => h.Kind == HeadDescription.ClassificationKind).ToDictionary(h => h.Name, _ => new List<IReadOnlyList<ClassScore>>()));

    private static void Add(Report report, string input, int rows, IReadOnlyList<HeadDescription> heads, int k, Func<string, float[]> values)
    {
        for (int row = 0; row < rows; row++)
            ((List<string>)report.Inputs).Add(rows == 1 ? input : $"{input}[{row}]");
        foreach (var head in heads)
        {
            var all = values(head.Name);
            int width = all.Length / rows;
            for (int row = 0; row < rows; row++)
            {
                var outputs = all[(row * width)..((row + 1) * width)];
                report.Outputs[head.Name].Add(outputs);
                if (report.Top.TryGetValue(head.Name, out var top))
                    top.Add(ClassScore.TopK(outputs, Math.Min(k, width), head.ClassNames!));
            }
        }
    }
}
