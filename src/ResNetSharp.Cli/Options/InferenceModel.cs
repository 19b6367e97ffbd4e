using System.CommandLine;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.IO;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Options;

/// <summary>The options that load a trained model for inference: model, weights, class names, device.</summary>
public sealed class InferenceModelOptions
{
    private readonly ModelSelection _model = new();
    private readonly Option<FileInfo> _weights = new("--weights", "-w") { Description = "Weights (safetensors or .pth), a run folder for its best.safetensors, or registered weights (MODEL:TAG, e.g. resnet50:IMAGENET1K_V2); files written by resnet name their model, so --model can be left out" };
    private readonly Option<FileInfo?> _classNames = new("--class-names") { Description = "Text file with one class name per line [default: from the weights' metadata]" };
    private readonly Option<int?> _imageSize = new("--image-size") { Description = "Crop size for images [default: from the weights' metadata, else 224 after resizing to 256]" };
    private readonly Option<string> _device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        _model.AddTo(command);
        foreach (var option in new Option[] { _weights, _classNames, _imageSize, _device })
            command.Add(option);
    }

    /// <summary>The --class-names file, if given.</summary>
    public FileInfo? ClassNamesFile(ParseResult parsed) => parsed.GetValue(_classNames);

    /// <summary>The --image-size value, if given (1 to <see cref="ImagePreprocessing.MaxSide"/>).</summary>
    public int? ImageSize(ParseResult parsed) =>
        parsed.GetValue(_imageSize) is int size ? OptionChecks.Between(size, 1, ImagePreprocessing.MaxSide, "--image-size") : null;

    /// <summary>The options that pick and place a TorchSharp model, as written on the command line, when given.</summary>
    public IEnumerable<string> GivenModelOptions(ParseResult parsed) =>
        new Option[] { _model.Model, _model.Spec, _model.NumClasses, _weights, _device }
            .Where(option => parsed.GetResult(option) is { Implicit: false })
            .Select(option => option.Name);

    /// <summary>
    /// Builds the model (the one --model or --spec names, else the one the weights' metadata names) with
    /// the class count and input channels the weights have (unless --num-classes says otherwise), loads
    /// them strictly, and puts the model in eval mode on the chosen device.
    /// </summary>
    public LoadedModel Load(ParseResult parsed)
    {
        var weights = new FileInfo(WeightsFile(parsed));
        var contents = WeightFile.ReadContents(weights.FullName);
        int classes = WeightsModel.ClassCount(contents, weights.FullName) ?? 0;
        int? channels = WeightsModel.InputChannels(contents, weights.FullName);
        var metadata = contents.Metadata;
        var (name, spec) = _model.Resolve(parsed, channels, () => ModelSelection.FromWeights(metadata, weights.FullName));
        if (parsed.GetValue(_model.NumClasses) is null)
            spec = (spec with { NumClasses = classes }).Validate();
        WeightsModel.RequireFits(spec, contents, weights.FullName);

        var card = ModelCard.FromMetadata(metadata, weights.FullName);
        var device = DeviceSelection.Parse(parsed.GetValue(_device)!);
        var heads = WeightsNetwork.Heads(metadata, weights.FullName);
        var model = new ResNet(spec);
        try
        {
            if (heads is null)
                WeightLoader.LoadFile(model, weights.FullName);
            else
                LoadBackbone(model, weights.FullName, heads);
            model.to(device).eval();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var classNames = ClassNames(parsed, card, spec.NumClasses);
        return new LoadedModel(name, model, device, Preprocessing(parsed, card), classNames) { WeightsFile = weights.FullName, WeightsMetadata = metadata };
    }

    /// <summary>The weights file --weights names (a run folder's best.safetensors).</summary>
    public string WeightsFile(ParseResult parsed)
    {
        ImageSize(parsed); // a bad --image-size is reported before any file is read
        return WeightsArgument.Resolve(parsed.GetValue(_weights) ?? throw new UsageException("--weights FILE is required."));
    }

    /// <summary>The file's heads, when its metadata describes named heads (null: a plain classifier).</summary>
    public IReadOnlyList<HeadDescription>? Heads(ParseResult parsed)
    {
        var file = WeightsFile(parsed);
        return WeightsNetwork.Heads(WeightFile.ReadMetadata(file), file);
    }

    /// <summary>The network with named heads that the weights name, in eval mode on the chosen device.</summary>
    public LoadedNetwork LoadNetwork(ParseResult parsed)
    {
        var file = WeightsFile(parsed);
        if (parsed.GetValue(_model.Model) is not null || parsed.GetValue(_model.Spec) is not null)
            throw new UsageException($"{file} names its network and heads; drop --model and --spec.");
        if (parsed.GetValue(_model.NumClasses) is not null || parsed.GetValue(_classNames) is not null)
            throw new UsageException($"{file} names its heads and their classes; drop --num-classes and --class-names.");
        var card = ModelCard.FromMetadata(WeightFile.ReadMetadata(file), file);
        var device = DeviceSelection.Parse(parsed.GetValue(_device)!);
        var network = WeightsNetwork.Load(file);
        network.to(device);
        network.eval();
        return new LoadedNetwork(card?.Model ?? Path.GetFileName(file), network, device, Preprocessing(parsed, card));
    }

    /// <summary>
    /// The weights, whatever they hold: a network with named heads (<see cref="LoadNetwork"/>) when their metadata
    /// names heads, else a plain ResNet (<see cref="Load"/>).
    /// </summary>
    public ILoadedWeights LoadWeights(ParseResult parsed) => Heads(parsed) is null ? Load(parsed) : LoadNetwork(parsed);

    /// <summary>The weights as an image model run with TorchSharp: every head (or the logits) and the embedding by name.</summary>
    public TorchImageModel LoadImageModel(ParseResult parsed) => LoadWeights(parsed).ToImageModel();

    private ImagePreprocessing Preprocessing(ParseResult parsed, ModelCard? card)
    {
        var preprocessing = card?.Preprocessing ?? ImagePreprocessing.ImageNet;
        return ImageSize(parsed) is int size ? preprocessing.WithCrop(size) : preprocessing;
    }

    /// <summary>Loads the backbone of a file with named heads into a ResNet without classifier (for embeddings).</summary>
    private static void LoadBackbone(ResNet model, string path, IReadOnlyList<HeadDescription> heads)
    {
        var (tensors, _) = WeightFile.Load(path, WeightLoader.LimitsFor(model));
        try
        {
            WeightLoader.Load(model, tensors.Where(t => heads.All(h => t.Name.Split('.')[0] != h.Name)), path);
        }
        finally
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
        }
    }

    private IReadOnlyList<string> ClassNames(ParseResult parsed, ModelCard? card, int count)
    {
        if (parsed.GetValue(_classNames) is { } file)
            return ReadClassNames(file, count);
        if (card is not null && card.ClassNames.Count == count)
            return card.ClassNames;
        return Enumerable.Range(0, count).Select(i => i.ToString()).ToList();
    }

    /// <summary>One class name per non-empty line; the count must equal the model's.</summary>
    public static IReadOnlyList<string> ReadClassNames(FileInfo file, int count)
    {
        var names = InputFile.ReadAllText(file.FullName, "--class-names file", 16 << 20).Split('\n')
            .Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        return names.Count == count ? names
            : throw new UsageException($"--class-names {file.FullName} has {names.Count} names; the model has {count} classes.");
    }
}

/// <summary>Weights loaded for inference: a plain ResNet (<see cref="LoadedModel"/>) or a network with named heads (<see cref="LoadedNetwork"/>).</summary>
public interface ILoadedWeights : IDisposable
{
    /// <summary>Model name for messages.</summary>
    string Name { get; }

    /// <summary>Where it runs.</summary>
    Device Device { get; }

    /// <summary>Image preprocessing.</summary>
    ImagePreprocessing Preprocessing { get; }

    /// <summary>
    /// Its ONNX model: the outputs <see cref="ToImageModel"/> gives, with class names or head descriptions and the preprocessing
    /// (and <paramref name="weightsSha256"/>, the source file's digest, when given).
    /// </summary>
    byte[] ToOnnx(bool foldBatchNorm = true, string? weightsSha256 = null);

    /// <summary>As an image model run with TorchSharp, which takes the network over: dispose that, not this.</summary>
    TorchImageModel ToImageModel();
}

/// <summary>A model ready for inference, with how to prepare its inputs and name its outputs.</summary>
/// <param name="Name">Model name for messages.</param>
/// <param name="Model">In eval mode on <paramref name="Device"/>; dispose when done.</param>
/// <param name="Device">Where it runs.</param>
/// <param name="Preprocessing">Image preprocessing.</param>
/// <param name="ClassNames">Output names.</param>
public sealed record LoadedModel(string Name, ResNet Model, Device Device, ImagePreprocessing Preprocessing, IReadOnlyList<string> ClassNames) : ILoadedWeights
{
    /// <summary>The weights file the model was loaded from.</summary>
    public string WeightsFile { get; init; } = "";

    /// <summary>That file's string metadata (empty for .pth files).</summary>
    public IReadOnlyDictionary<string, string> WeightsMetadata { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public byte[] ToOnnx(bool foldBatchNorm = true, string? weightsSha256 = null) =>
        OnnxExporter.ToBytes(Model, new OnnxExportOptions(Preprocessing.CropTo, Preprocessing.CropTo, foldBatchNorm, ClassNames, Preprocessing, weightsSha256));

    /// <inheritdoc />
    public TorchImageModel ToImageModel() => new(Model, Device, Name, ClassNames, Preprocessing);

    /// <summary>uint8 pixels (N, C, H, W) to model input on the device; one channel is repeated for 3-channel models.</summary>
    public Tensor Prepare(Tensor pixels) => Preprocessing.ToModelInput(pixels, Device, Model.Spec.InChannels);

    /// <summary>What a weights file written from this model should say about it: class names, preprocessing, the model's name and spec.</summary>
    public Dictionary<string, string> Metadata() =>
        WeightsModel.Describe(new ModelCard(Name, ClassNames, Model.Spec.InChannels, Preprocessing).ToMetadata(), Name, Model.Spec);

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}

/// <summary>A network with named heads ready for inference, with how to prepare its inputs.</summary>
/// <param name="Name">Model name for messages.</param>
/// <param name="Network">In eval mode on <paramref name="Device"/>; dispose when done.</param>
/// <param name="Device">Where it runs.</param>
/// <param name="Preprocessing">Image preprocessing.</param>
public sealed record LoadedNetwork(string Name, MultiHeadNetwork Network, Device Device, ImagePreprocessing Preprocessing) : ILoadedWeights
{
    /// <inheritdoc />
    public byte[] ToOnnx(bool foldBatchNorm = true, string? weightsSha256 = null) =>
        OnnxExporter.ToBytes(Network, new OnnxExportOptions(Preprocessing.CropTo, Preprocessing.CropTo, foldBatchNorm, Preprocessing: Preprocessing,
            WeightsSha256: weightsSha256));

    /// <inheritdoc />
    public TorchImageModel ToImageModel() => new(Network, Device, Name, Preprocessing, InChannels);

    /// <summary>Input channels of the network.</summary>
    public int InChannels => Network.ResNetBackbone?.Spec.InChannels ?? 3;

    /// <summary>uint8 pixels (N, C, H, W) to network input on the device.</summary>
    public Tensor Prepare(Tensor pixels) => Preprocessing.ToModelInput(pixels, Device, InChannels);

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}
