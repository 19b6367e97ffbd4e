using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Tests.Data;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// Seeded weights (and BatchNorm statistics) of a small network with two heads, age (regression, in years
/// around 35) and gender (classification with a hidden layer), saved as training writes them, and three images.
/// </summary>
internal sealed class TwoHeadWeights : IDisposable
{
    public static readonly string[] Genders = ["female", "male"];

    public TemporaryFolder Folder { get; } = new();
    public string Weights => Folder.File("heads.safetensors");
    public IReadOnlyList<string> Images { get; }

    public TwoHeadWeights()
    {
        var spec = ModelCatalog.Get("resnet18_cifar") with { Depths = [1, 1], Widths = [8, 16], StemChannels = 8 };
        manual_seed(21);
        using var network = MultiHeadNetwork.FromSpec(spec,
            [new RegressionHead("age", [35.0], [12.0]), new ClassificationHead("gender", Genders) { Hidden = 8 }]);
        using (no_grad())
            foreach (var (name, tensor) in StateDictOrder.Entries(network))
                if (name.EndsWith("running_mean") || (name.EndsWith(".bias") && !name.StartsWith("age.")))
                    tensor.normal_(0, 0.2);
                else if (name.EndsWith("running_var"))
                    tensor.uniform_(0.5, 1.5);
        SafetensorsFile.Save(Weights, StateDictOrder.Entries(network), ConfigSetup.Metadata("tiny-heads", spec, network, ImagePreprocessing.ForCrop(24)));
        Images =
        [
            TestImages.Write(Folder.File("a.png"), 37, 51, seed: 1),
            TestImages.Write(Folder.File("b.png"), 24, 24, seed: 2),
            TestImages.Write(Folder.File("c.png"), 64, 29, seed: 3),
        ];
    }

    public void Dispose() => Folder.Dispose();
}
