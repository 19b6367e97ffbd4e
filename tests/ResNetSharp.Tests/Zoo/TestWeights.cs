using System.Security.Cryptography;
using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Zoo;

namespace ResNetSharp.Tests.Zoo;

/// <summary>Published-looking weight files made by the tests, and the registry entries that describe them.</summary>
internal static class TestWeights
{
    public static readonly string[] Classes = ["ant", "bee", "cat"];

    public static readonly ImagePreprocessing Preprocessing = new(20, 16, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);

    /// <summary>A tiny network that a weights file can carry as its spec (so it needs no catalog entry).</summary>
    public static ResNetSpec TinySpec { get; } = ModelCatalog.Get("resnet18_cifar") with
    {
        Depths = [1, 1], Widths = [8, 16], StemChannels = 8, NumClasses = Classes.Length,
    };

    /// <summary>A small safetensors file holding <see cref="TinySpec"/> with seeded weights: its bytes.</summary>
    public static byte[] TinyFile(int seed, string folder)
    {
        TorchSharp.torch.manual_seed(seed);
        using var model = new ResNet(TinySpec);
        string path = Path.Combine(folder, $"tiny-{seed}-{Guid.NewGuid():N}.safetensors");
        SafetensorsFile.Save(path, StateDictOrder.Entries(model), WeightsModel.Describe([], "tiny", TinySpec));
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>An entry for <paramref name="content"/>, published as <paramref name="file"/> (full SHA-256, or its 8-digit prefix).</summary>
    public static PretrainedWeights Entry(string model, string tag, string file, byte[] content, bool fullDigest = true, bool isDefault = false) =>
        new(model, tag, isDefault, file, new Uri($"http://origin.invalid/models/{file}"), Digest(content)[..(fullDigest ? 64 : 8)],
            content.Length, Preprocessing, "bilinear", Classes, new PublishedMetrics("test set", 50, 90), null, null);

    public static string Digest(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>A registry file (the built-in's format) listing <paramref name="entries"/>.</summary>
    public static string WriteRegistry(string path, params PretrainedWeights[] entries)
    {
        var weights = entries.Select(e => new Dictionary<string, object?>
        {
            ["model"] = e.Model, ["tag"] = e.Tag, ["default"] = e.IsDefault, ["file"] = e.File, ["url"] = e.Url.ToString(),
            ["sha256"] = e.Sha256, ["bytes"] = e.Bytes, ["classNames"] = e.ClassNames,
            ["preprocessing"] = new Dictionary<string, object>
            {
                ["resizeTo"] = e.Preprocessing.ResizeTo, ["cropTo"] = e.Preprocessing.CropTo, ["interpolation"] = e.Interpolation,
                ["mean"] = e.Preprocessing.Mean, ["std"] = e.Preprocessing.Std,
            },
        });
        File.WriteAllText(path, JsonSerializer.Serialize(new { weights }));
        return path;
    }

    /// <summary>A torchvision-style .pth of a catalog model with <see cref="Classes"/> outputs: its bytes.</summary>
    public static byte[] CatalogPth(string model, int seed, string folder)
    {
        TorchSharp.torch.manual_seed(seed);
        using var network = ModelCatalog.Create(model, numClasses: Classes.Length);
        string path = Path.Combine(folder, $"{model}-{seed}-{Guid.NewGuid():N}.pth");
        PthWriter.Save(path, StateDictOrder.Entries(network));
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}
