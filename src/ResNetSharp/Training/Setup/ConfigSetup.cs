using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>The catalog setup of a config: its data, a catalog ResNet backbone, and the heads the data's columns call for.</summary>
internal static class ConfigSetup
{
    public static TrainingSetup Build(TrainingConfig config, Device device, string? dataDir, TrainingObserver observer)
    {
        var (train, validation) = new RunData(config, device, dataDir, observer).Load();
        try
        {
            var heads = Heads(config, train, observer);
            foreach (var head in heads)
                validation.Column(head.Column);
            int dataChannels = train.ImageShape.Channels;
            int modelChannels = dataChannels == 1 && config.Data.Grayscale == GrayscaleMode.RepeatChannels ? 3 : dataChannels;
            var spec = ModelResolver.Resolve(config.Model) with
            {
                InChannels = modelChannels,
                DropPathRate = config.Augmentation.DropPathRate,
            };
            spec.Validate();
            var preprocessing = Preprocessing(config, train, modelChannels);
            return new TrainingSetup
            {
                CreateNetwork = () => MultiHeadNetwork.FromSpec(spec, heads),
                Train = train,
                Validation = validation,
                ModelChannels = modelChannels,
                Name = config.Model,
                WeightsMetadata = network => Metadata(config.Model, spec, network, preprocessing),
            };
        }
        catch
        {
            train.Dispose();
            validation.Dispose();
            throw;
        }
    }

    /// <summary>The configured heads over the training columns; without any, one classifier <c>fc</c> on the first class column.</summary>
    private static IReadOnlyList<TaskHead> Heads(TrainingConfig config, LabelledImageSet train, TrainingObserver observer)
    {
        double smoothing = config.Augmentation.LabelSmoothing;
        if (config.Heads.Count == 0)
        {
            var column = train.Columns.FirstOrDefault(c => c.Kind == LabelKind.Class)
                ?? throw new ConfigException("heads", "empty", $"heads for {train.Source}, which has no class column");
            WarnIfOneClass(train, column.Name, MultiHeadNetwork.ClassifierHead, observer);
            return [new ClassificationHead(MultiHeadNetwork.ClassifierHead, column.ClassNames) { Column = column.Name, LabelSmoothing = smoothing }];
        }
        return config.Heads.Select(h =>
        {
            var column = train.Column(h.Column ?? h.Name);
            bool classes = h.Kind == HeadKind.Classification;
            if (classes != (column.Kind == LabelKind.Class))
                throw new ArgumentException($"head '{h.Name}' is a {h.Kind.ToString().ToLowerInvariant()} head but column '{column.Name}' of {train.Source} holds {(column.Kind == LabelKind.Class ? "classes" : "numbers")}.");
            if (classes)
            {
                WarnIfOneClass(train, column.Name, h.Name, observer);
                return (TaskHead)new ClassificationHead(h.Name, column.ClassNames, h.Weight)
                    { Column = column.Name, Hidden = h.Hidden, Dropout = h.Dropout, LabelSmoothing = smoothing };
            }
            using var targets = train.Targets(column.Name);
            var (mean, std) = RegressionHead.Statistics(targets);
            return new RegressionHead(h.Name, mean, std, h.Weight) { Column = column.Name, LossKind = h.Loss };
        }).ToList();
    }

    private static void WarnIfOneClass(LabelledImageSet train, string column, string head, TrainingObserver observer)
    {
        using var targets = train.Targets(column);
        using var present = targets.cpu().unique().Item1;
        var classes = present.data<long>().Where(c => c >= 0).ToList();
        if (classes.Count < 2)
            observer.Warning($"{train.Source} has {(classes.Count == 0 ? "no labels" : $"only one class ({train.Column(column).ClassNames[(int)classes[0]]})")} " +
                $"for head '{head}': a classifier learns nothing from it.");
    }

    private static ImagePreprocessing Preprocessing(TrainingConfig config, LabelledImageSet train, int modelChannels)
    {
        var (channels, size, _) = train.ImageShape;
        if (config.Data.Manifest is not null || Directory.Exists(config.Data.Dataset))
            return ImagePreprocessing.ForCrop(config.Data.ImageSize) with { Mean = train.Mean, Std = train.Std };
        bool gray = channels == 1;
        // A grayscale dataset fed to a 3-channel model repeats its one channel (and its statistics).
        var mean = gray && modelChannels == 3 ? Enumerable.Repeat(train.Mean[0], 3).ToList() : train.Mean;
        var std = gray && modelChannels == 3 ? Enumerable.Repeat(train.Std[0], 3).ToList() : train.Std;
        return new ImagePreprocessing(size, size, mean, std, Grayscale: gray);
    }

    /// <summary>
    /// Single classifier <c>fc</c>: today's card (class names, num_classes) with the spec's class count, so the
    /// file loads into a plain ResNet; named heads: the card without classes, the backbone's spec, and the heads.
    /// </summary>
    internal static Dictionary<string, string> Metadata(string model, ResNetSpec spec, MultiHeadNetwork network, ImagePreprocessing preprocessing)
    {
        if (network.IsPlainClassifier)
        {
            var head = (ClassificationHead)network.Heads[0];
            return WeightsModel.Describe(new ModelCard(model, head.ClassNames, spec.InChannels, preprocessing).ToMetadata(), model,
                spec with { NumClasses = head.Outputs });
        }
        // Named heads keep their classes in the heads list; the card's own class list is empty.
        var metadata = new ModelCard(model, [], spec.InChannels, preprocessing).ToMetadata();
        metadata[HeadDescription.MetadataKey] = HeadDescription.ToJson(network.Heads.Select(h => h.Describe()).ToList());
        return WeightsModel.Describe(metadata, model, spec with { NumClasses = 0 });
    }
}
