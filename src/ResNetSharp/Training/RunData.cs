using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Chooses and loads a run's data: image folders stream (random-resized crops for training, the eval
/// transform for validation) unless the config asks for them in memory; named datasets are held on the
/// training device as uint8. Skipped unreadable images are reported to the observer.
/// </summary>
internal sealed class RunData(TrainingConfig config, Device device, string? dataDir, TrainingObserver observer)
{
    private bool Streams => Directory.Exists(config.Dataset) && !config.InMemoryImages;

    private BadImagePolicy BadImages => config.SkipBadImages ? BadImagePolicy.Skip : BadImagePolicy.Fail;

    private ImageFolderIndex FolderSplit(DatasetSplit split, int limit) =>
        DatasetCatalog.ScanImageFolder(config.Dataset, split).Take(limit);

    /// <summary>Image folders stream with random-resized crops unless asked to load into memory; named datasets live on the device.</summary>
    public TrainingBatches Training()
    {
        if (Streams)
            return new StreamedFolderBatches(FolderSplit(DatasetSplit.Train, config.TrainLimit), config.ImageSize, config.Seed, device,
                BadImages, ReportSkipped);
        using var cpu = LoadSplit(DatasetSplit.Train, config.TrainLimit);
        return new InMemoryBatches(cpu.To(device));
    }

    /// <summary>Streamed image folders evaluate streamed too; everything else is held on the device.</summary>
    public EvaluationData Test()
    {
        if (Streams)
            return new StreamedFolderEvaluationData(FolderSplit(DatasetSplit.Test, config.TestLimit), ImagePreprocessing.ForCrop(config.ImageSize),
                device, BadImages, ReportSkipped);
        using var cpu = LoadSplit(DatasetSplit.Test, config.TestLimit);
        return new InMemoryEvaluationData(cpu.To(device));
    }

    private void ReportSkipped(IReadOnlyList<(string Path, string Problem)> skipped)
    {
        if (skipped.Count > 0)
            observer.Warning($"skipped {skipped.Count} image(s) that do not decode: " +
                string.Join("; ", skipped.Take(10).Select(s => s.Problem)) + (skipped.Count > 10 ? "; …" : ""));
    }

    private ImageDataset LoadSplit(DatasetSplit split, int limit)
    {
        var folderOptions = new ImageFolderOptions(config.ImageSize, BadImages, ReportSkipped);
        var data = DatasetCatalog.Load(config.Dataset, split, dataDir, folderOptions: folderOptions);
        if (limit <= 0 || limit >= data.Count)
            return data;
        using (data)
            return data.Take(limit);
    }
}
