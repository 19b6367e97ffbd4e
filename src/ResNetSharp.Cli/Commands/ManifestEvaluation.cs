using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet eval --manifest: a network with named heads evaluated head by head on a manifest's columns.</summary>
internal static class ManifestEvaluation
{
    /// <summary>How to evaluate.</summary>
    public sealed record Settings(int BatchSize, int Limit, bool FlipTestTimeAugmentation, Precision Precision, bool ChannelsLast, Device Device);

    public static NetworkEvaluation Run(string weights, string manifest, Settings settings)
    {
        using var network = WeightsNetwork.Load(weights);
        if (network.IsPlainClassifier)
            throw new UsageException($"{weights} holds a plain classifier; --manifest evaluates weights trained with --heads (use --dataset for this one).");
        var card = ModelCard.FromMetadata(WeightFile.ReadMetadata(weights), weights);
        var preprocessing = card?.Preprocessing ?? ImagePreprocessing.ImageNet;
        var requests = network.Heads.Select(h => h switch
        {
            ClassificationHead c => new ManifestColumnRequest(h.Column, true, c.ClassNames),
            _ => new ManifestColumnRequest(h.Column, false),
        }).ToList();
        var files = ImageFileList.FromManifest(ImageManifest.Read(manifest, requests)).Take(settings.Limit);
        using var data = new StreamedImageSet(files, preprocessing.CropTo, training: false, 0, preprocessing.Mean, preprocessing.Std,
            BadImagePolicy.Fail, _ => { });
        network.to(settings.Device);
        if (settings.ChannelsLast)
            MemoryFormat.ConvertWeights(network);
        var input = InputAdapter.For(data.ImageShape.Channels, data.Mean, data.Std, manifest, network.ResNetBackbone?.Spec.InChannels ?? 3, settings.Device) with
        {
            ComputeDtype = settings.Precision.ToScalarType(),
            ChannelsLast = settings.ChannelsLast,
        };
        return Evaluator.Evaluate(network, data, settings.BatchSize, input, settings.FlipTestTimeAugmentation);
    }
}
