using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Common;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Zoo;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet export: weights to ONNX (for ONNX Runtime), safetensors or PyTorch .pth with torchvision names.</summary>
public static class ExportCommand
{
    /// <summary>Output formats.</summary>
    public enum Format
    {
        /// <summary>ONNX opset 17.</summary>
        Onnx,
        /// <summary>safetensors.</summary>
        Safetensors,
        /// <summary>torch.save zip (.pth).</summary>
        Pth,
    }

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var format = new EnumOption<Format>("--format", "File format", Format.Onnx);
        var target = new Option<string>("--output", "-o") { Description = "File to write", Required = true };
        var noFold = new Option<bool>("--no-fold") { Description = "ONNX: keep BatchNormalization nodes instead of folding them into the convolutions" };
        var command = new Command("export", "Export weights to ONNX (one output per head, and the embedding), safetensors or .pth");
        model.AddTo(command);
        command.Add(format);
        command.Add(target);
        command.Add(noFold);
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(target)!;
            if (model.Heads(parsed) is not null)
                return ExportHeads(model, parsed, path, format.Value(parsed), !parsed.GetValue(noFold), output);
            using var loaded = model.Load(parsed);
            var entries = StateDictOrder.Entries(loaded.Model);
            switch (format.Value(parsed))
            {
                case Format.Onnx:
                    WriteOnnx(loaded, path, !parsed.GetValue(noFold), loaded.WeightsFile);
                    break;
                case Format.Safetensors:
                    SafetensorsFile.Save(path, entries, loaded.Metadata());
                    break;
                default:
                    PthWriter.Save(path, entries);
                    break;
            }
            output.WriteLine($"{loaded.Name} -> {path} ({parsed.GetValue(format)}, {new FileInfo(path).Length:N0} bytes)");
            return 0;
        });
        return command;
    }

    /// <summary>A network with named heads: ONNX with one output per head, or its state dict with the file's metadata.</summary>
    private static int ExportHeads(InferenceModelOptions model, ParseResult parsed, string path, Format format, bool fold, TextWriter output)
    {
        using var loaded = model.LoadNetwork(parsed);
        var entries = StateDictOrder.Entries(loaded.Network);
        string source = model.WeightsFile(parsed);
        switch (format)
        {
            case Format.Onnx:
                WriteOnnx(loaded, path, fold, source);
                break;
            case Format.Safetensors:
                SafetensorsFile.Save(path, entries, WeightFile.ReadMetadata(source));
                break;
            default:
                PthWriter.Save(path, entries);
                break;
        }
        output.WriteLine($"{loaded.Name} (heads {string.Join(", ", loaded.Network.Heads.Select(h => h.Name))}) -> {path} " +
            $"({ChoiceOption.NameOf(format)}, {new FileInfo(path).Length:N0} bytes)");
        return 0;
    }

    /// <summary>
    /// The ONNX model of the weights (the outputs resnet predict and serve give), written atomically, with the digest of
    /// <paramref name="source"/> so that resnet serve can tell whether an image index was built from the same weights.
    /// </summary>
    private static void WriteOnnx(ILoadedWeights loaded, string path, bool fold, string source)
    {
        byte[] bytes = loaded.ToOnnx(fold, WeightsCache.FileDigest(source));
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
