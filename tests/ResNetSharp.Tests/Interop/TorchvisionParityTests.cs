using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class TorchvisionParityTests
{
    [Theory]
    [InlineData("resnet18", ".safetensors")]
    [InlineData("resnet18", ".pth")]
    [InlineData("resnet50", ".safetensors")]
    [InlineData("resnet50", ".pth")]
    [InlineData("resnext50_32x4d", ".safetensors")]
    [InlineData("resnext50_32x4d", ".pth")]
    [InlineData("wide_resnet50_2", ".safetensors")]
    [InlineData("resnet34", ".checkpoint.pth")]
    public void WeightsSavedByTorchvisionReproduceItsLogits(string arch, string suffix)
    {
        using var folder = new TemporaryFolder();
        ReferencePython.Run("torchvision_logits.py", arch, folder.Path, "7");
        using var model = ModelCatalog.Create(arch);
        var report = WeightLoader.LoadFile(model, folder.File(arch + suffix));
        Assert.True(report.IsExact);
        Assert.Equal(model.state_dict().Count, report.Loaded.Count);

        var (io, _) = SafetensorsFile.Load(folder.File($"{arch}.io.safetensors"));
        using var scope = NewDisposeScope();
        var input = io.Single(t => t.Name == "input").Tensor;
        var expected = io.Single(t => t.Name == "logits").Tensor;
        model.eval();
        using (no_grad())
        {
            var logits = model.call(input);
            double relativeError = (logits - expected).abs().max().item<float>() / expected.abs().max().item<float>();
            Assert.True(relativeError <= 1e-4, $"{arch}{suffix}: relative error {relativeError:E2}");
        }
        Assert.Equal(7L, model.state_dict()["bn1.num_batches_tracked"].item<long>());
    }
}
