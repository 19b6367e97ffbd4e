using ResNetSharp.Analysis;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class MemoryTests
{
    [Fact]
    public void LiveNativeTensorsDoNotGrowAcrossTrainingSteps()
    {
        using var model = new ResNet(ModelCatalog.Get("resnet18_cifar") with { Widths = [8, 16, 32, 64], StemChannels = 8, DropPathRate = 0.1 });
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var input = randn(8, 3, 16, 16);
        using var target = randint(0, 10, [8]);
        var counts = new List<long>();
        for (int step = 0; step < 12; step++)
        {
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(input), target);
                loss.backward();
                optimizer.step();
                model.eval();
                using (no_grad())
                    model.ForwardStages(input);
                model.Embed(input);
                model.train();
            }
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        // The first steps create gradients and optimiser state once; after that nothing may accumulate.
        Assert.All(counts.Skip(3), count => Assert.Equal(counts[2], count));
    }

    [Theory]
    [InlineData("resnet20")]
    [InlineData("plain20")]
    [InlineData("preact_resnet18_cifar")]
    public void LiveNativeTensorsDoNotGrowAcrossStepsOfZeroPadPlainAndPreActivationBlocksOrGradCam(string name)
    {
        var spec = ModelCatalog.Get(name);
        using var model = new ResNet(spec with { Depths = [.. spec.Depths.Select(_ => 1)], Widths = [.. spec.Widths.Select(w => w / 4)], StemChannels = spec.StemChannels / 4 });
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var input = randn(4, 3, 16, 16);
        using var target = randint(0, 10, [4]);
        var counts = new List<long>();
        for (int step = 0; step < 8; step++)
        {
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(input), target).backward();
                optimizer.step();
                GradCam.Explain(model, input, stage: "layer2");
                var (stages, features) = model.ForwardIntermediates(input);
            }
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        Assert.All(counts.Skip(3), count => Assert.Equal(counts[2], count));
    }
}
