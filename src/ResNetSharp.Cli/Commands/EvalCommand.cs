using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Data;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet eval: top-1, top-5, per-class accuracy and confusion matrix of weights on a dataset's test split.</summary>
public static class EvalCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Catalog model or spec .json [default: the model the weights name]" };
        var weights = new Option<FileInfo>("--weights", "-w") { Description = "Weights (safetensors or .pth), or a run folder for its best.safetensors", Required = true };
        var dataset = new Option<string>("--dataset") { Description = $"Dataset: {string.Join(", ", DatasetCatalog.Names)}", DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the dataset files" };
        var grayscale = new EnumOption<GrayscaleMode>("--grayscale", "How grayscale images meet the model [default: from the weights]");
        var batch = new Option<int>("--batch-size", "-b") { Description = "Images per batch", DefaultValueFactory = _ => 256 };
        var limit = new Option<int>("--test-limit") { Description = "Evaluate only the first N images (0: all)", DefaultValueFactory = _ => 0 };
        var tta = new Option<bool>("--tta") { Description = "Average with horizontally flipped images" };
        var precision = new EnumOption<Precision>("--precision", "Compute precision (fp32 weights and norms)", Precision.Fp32);
        var channelsLast = new Option<bool>("--channels-last") { Description = "NHWC inputs and convolution weights" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "CSV manifest of labelled images (path and a column per head) to evaluate weights with named heads on" };
        var command = new Command("eval", "Evaluate weights on a dataset's test split, or on a manifest head by head");
        foreach (var option in new Option[] { model, weights, dataset, dataDir, grayscale, batch, limit, tta, precision, channelsLast, device, json, manifest })
            command.Add(option);

        command.SetAction(parsed =>
        {
            OptionChecks.AtLeast(parsed.GetValue(batch), 1, "--batch-size");
            OptionChecks.AtLeast(parsed.GetValue(limit), 0, "--test-limit");
            var computePrecision = precision.Value(parsed);
            var weightsFile = new FileInfo(WeightsArgument.Resolve(parsed.GetValue(weights)!));
            var weightsMetadata = WeightFile.ReadMetadata(weightsFile.FullName);
            if (parsed.GetValue(manifest) is { } csv)
            {
                var device_ = DeviceSelection.Parse(parsed.GetValue(device)!);
                var settings = new ManifestEvaluation.Settings(parsed.GetValue(batch), parsed.GetValue(limit), parsed.GetValue(tta), computePrecision,
                    parsed.GetValue(channelsLast), device_);
                var evaluation = ManifestEvaluation.Run(weightsFile.FullName, csv.FullName, settings);
                if (parsed.GetValue(json))
                    output.WriteLine(JsonSerializer.Serialize(new { heads = evaluation.Heads.ToDictionary(h => h.Key, h => (object)h.Value), loss = evaluation.Loss }, JsonOutput.Options));
                else
                    output.WriteLine($"{weightsFile.Name} on {csv.Name}: {ConsoleTrainingObserver.Scores(evaluation)}");
                return 0;
            }
            using var full = DatasetCatalog.Load(parsed.GetValue(dataset)!, DatasetSplit.Test, parsed.GetValue(dataDir));
            using var data = parsed.GetValue(limit) > 0 ? full.Take(parsed.GetValue(limit)) : full.Take(full.Count);
            var selectedDevice = DeviceSelection.Parse(parsed.GetValue(device)!);

            int dataChannels = data.ImageShape.Channels;
            int modelChannels = grayscale.Read(parsed) switch
            {
                GrayscaleMode.RepeatChannels => 3,
                GrayscaleMode.OneChannelModel => dataChannels,
                _ => weightsMetadata.TryGetValue("in_channels", out var c) && int.TryParse(c, out int channels) ? channels : dataChannels,
            };
            var (modelName, named) = parsed.GetValue(model) is { } given
                ? (given, ModelResolver.Resolve(given))
                : ModelSelection.FromWeights(weightsMetadata, weightsFile.FullName);
            var spec = named with { NumClasses = data.ClassNames.Count, InChannels = modelChannels };
            if (parsed.GetValue(model) is null) // the file chose the model: it must hold one that size
                WeightsModel.RequireFits(spec.Validate(), WeightFile.ReadContents(weightsFile.FullName), weightsFile.FullName);
            using var network = new ResNet(spec);
            WeightLoader.LoadFile(network, weightsFile.FullName);
            network.to(selectedDevice);
            if (parsed.GetValue(channelsLast))
                MemoryFormat.ConvertWeights(network);
            var input = InputAdapter.For(data, modelChannels, selectedDevice) with
            {
                ComputeDtype = computePrecision.ToScalarType(),
                ChannelsLast = parsed.GetValue(channelsLast),
            };
            using var onDevice = data.To(selectedDevice);
            var result = Evaluator.Evaluate(network, onDevice, parsed.GetValue(batch), input, parsed.GetValue(tta));

            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(result, JsonOutput.Options));
            else
                EvaluationTable.Write(output, $"{modelName} on {data.Source}", result);
            return 0;
        });
        return command;
    }
}
