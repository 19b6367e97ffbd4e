using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;

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
        var format = new Option<Format>("--format") { Description = "onnx, safetensors or pth", DefaultValueFactory = _ => Format.Onnx };
        var target = new Option<string>("--output", "-o") { Description = "File to write", Required = true };
        var noFold = new Option<bool>("--no-fold") { Description = "ONNX: keep BatchNormalization nodes instead of folding them into the convolutions" };
        var command = new Command("export", "Export weights to ONNX, safetensors or .pth");
        model.AddTo(command);
        command.Add(format);
        command.Add(target);
        command.Add(noFold);
        command.SetAction(parsed =>
        {
            using var loaded = model.Load(parsed);
            string path = parsed.GetValue(target)!;
            var entries = StateDictOrder.Entries(loaded.Model);
            switch (parsed.GetValue(format))
            {
                case Format.Onnx:
                    int size = loaded.Preprocessing.CropTo;
                    OnnxExporter.Export(loaded.Model, path, new OnnxExportOptions(size, size, !parsed.GetValue(noFold),
                        loaded.ClassNames, loaded.Preprocessing));
                    break;
                case Format.Safetensors:
                    SafetensorsFile.Save(path, entries, loaded.Metadata());
                    break;
                default:
                    PthWriter.Save(path, entries);
                    break;
            }
            output.WriteLine($"{loaded.Name} -> {path} ({parsed.GetValue(format).ToString().ToLowerInvariant()}, {new FileInfo(path).Length:N0} bytes)");
            return 0;
        });
        return command;
    }
}
