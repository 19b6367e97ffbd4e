using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Loads a config's data: CSV manifests and image folders stream (random-resized crops for training, the
/// eval transform for validation) unless the config asks for them in memory; named datasets are held on
/// the training device as uint8. Skipped unreadable images are reported to the observer.
/// </summary>
internal sealed class RunData(TrainingConfig config, Device device, string? dataDir, TrainingObserver observer)
{
    private DataConfig Data => config.Data;

    private BadImagePolicy BadImages => Data.SkipBadImages ? BadImagePolicy.Skip : BadImagePolicy.Fail;

    /// <summary>The training and validation splits.</summary>
    public (LabelledImageSet Train, LabelledImageSet Validation) Load()
    {
        if (Data.Manifest is { } manifest)
        {
            var requests = config.Heads.Select(h => new ManifestColumnRequest(h.Column ?? h.Name, h.Kind == HeadKind.Classification)).ToList();
            if (requests.Count == 0)
                throw new ConfigException("heads", "empty", "the heads to train from the manifest's columns, e.g. age=regression,gender=classification");
            var train = ImageManifest.Read(manifest, requests);
            var vocabulary = requests.Select((r, i) => r with { ClassNames = train.Columns[i].IsClass ? train.Columns[i].ClassNames : null }).ToList();
            var validation = ImageManifest.Read(Data.ValidationManifest!, vocabulary);
            return Files(ImageFileList.FromManifest(train), ImageFileList.FromManifest(validation));
        }
        if (Directory.Exists(Data.Dataset))
        {
            ImageFileList Folder(DatasetSplit split) => ImageFileList.FromFolder(DatasetCatalog.ScanImageFolder(Data.Dataset, split));
            return Files(Folder(DatasetSplit.Train), Folder(DatasetSplit.Test));
        }
        var trainSet = InMemory(DatasetSplit.Train, Data.TrainLimit);
        try
        {
            return (trainSet, InMemory(DatasetSplit.Test, Data.TestLimit));
        }
        catch
        {
            trainSet.Dispose();
            throw;
        }
    }

    private (LabelledImageSet, LabelledImageSet) Files(ImageFileList train, ImageFileList validation)
    {
        train = train.Take(Data.TrainLimit);
        validation = validation.Take(Data.TestLimit);
        var mean = Data.Mean ?? ImagePreprocessing.ImageNetMean;
        var std = Data.Std ?? ImagePreprocessing.ImageNetStd;
        CheckChannels(3, "image files");
        if (Data.InMemoryImages)
        {
            var inMemory = InMemoryImageFiles.Load(train, Data.ImageSize, mean, std, BadImages, ReportSkipped, device);
            return (inMemory, InMemoryImageFiles.Load(validation, Data.ImageSize, mean, std, BadImages, ReportSkipped, device));
        }
        return (new StreamedImageSet(train, Data.ImageSize, training: true, config.Run.Seed, mean, std, BadImages, ReportSkipped),
            new StreamedImageSet(validation, Data.ImageSize, training: false, config.Run.Seed, mean, std, BadImages, ReportSkipped));
    }

    /// <summary>A built-in dataset on the device, with the configured normalisation, resized batch by batch when asked.</summary>
    private LabelledImageSet InMemory(DatasetSplit split, int limit)
    {
        using var data = DatasetCatalog.Load(Data.Dataset, split, dataDir);
        using var taken = data.Take(limit > 0 ? limit : data.Count);
        CheckChannels(taken.ImageShape.Channels, taken.Source);
        var set = new InMemoryImageSet(taken.Images.to(device), [LabelColumn.Classes(InMemoryImageSet.ClassColumn, taken.ClassNames)],
            new Dictionary<string, Tensor> { [InMemoryImageSet.ClassColumn] = taken.Labels.to(device) }, Data.Mean ?? taken.Mean, Data.Std ?? taken.Std,
            taken.Source);
        return Data.Resize > 0 ? new ResizedImageSet(set, Data.Resize) : set;
    }

    /// <summary>Configured statistics have one value per channel of the data.</summary>
    private void CheckChannels(int channels, string source)
    {
        if (Data.Mean is { } mean && mean.Count != channels)
            throw new ConfigException("data.mean", $"{mean.Count} value(s)", $"{channels}, one per channel of {source}");
        if (Data.Std is { } std && std.Count != channels)
            throw new ConfigException("data.std", $"{std.Count} value(s)", $"{channels}, one per channel of {source}");
    }

    private void ReportSkipped(IReadOnlyList<(string Path, string Problem)> skipped)
    {
        if (skipped.Count > 0)
            observer.Warning($"skipped {skipped.Count} image(s) that do not decode: " +
                string.Join("; ", skipped.Take(10).Select(s => s.Problem)) + (skipped.Count > 10 ? "; …" : ""));
    }
}
