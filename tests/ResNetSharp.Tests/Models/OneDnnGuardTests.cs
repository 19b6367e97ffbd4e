using ResNetSharp.Common;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class OneDnnGuardTests
{
    [Fact]
    public void OneDnnIsOffExactlyWhereTheCacheTopologyIsHidden()
    {
        using var model = ModelCatalog.Create("resnet18_cifar");
        bool? enabled = OneDnnGuard.IsMkldnnEnabled();
        Assert.NotNull(enabled);
        if (Environment.GetEnvironmentVariable("RESNETSHARP_MKLDNN") is null)
            Assert.Equal(!OneDnnGuard.CacheTopologyHidden(), enabled);
        Assert.StartsWith("oneDNN", OneDnnGuard.Status);
        if (OneDnnGuard.CacheTopologyHidden())
            Assert.False(OneDnnGuard.IsNnpackEnabled()); // it cannot initialise there, and would warn at every convolution
    }

    [Fact]
    public void SmallConvolutionsGetFiniteGradientsStepAfterStep()
    {
        // On machines that hide the cache topology, oneDNN returned non-finite stem gradients here.
        var spec = new ResNetSpec { Block = BlockKind.Basic, Depths = [1, 1], Widths = [8, 16], StemChannels = 8, Stem = StemKind.Cifar, NumClasses = 10, InChannels = 1 };
        using var model = new ResNet(spec);
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        manual_seed(0);
        for (int step = 0; step < 6; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(rand(16, 1, 28, 28)), randint(0, 10, [16])).backward();
            foreach (var (name, parameter) in model.named_parameters())
                Assert.True(parameter.grad!.isfinite().all().item<bool>(), $"step {step}: {name} has non-finite gradients");
            optimizer.step();
        }
    }
}
