using System.Diagnostics;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Diagnostics;

/// <summary>
/// Two forward/backward passes of a tiny CIFAR-stem ResNet on random data. Its stride-2 stages include the
/// strided 1x1 shortcut convolutions whose backward pass oneDNN broke on some machines, so a pass here
/// means the kernels this process would train with work.
/// </summary>
internal static class TrainingStepProbe
{
    public static TrainingStepCheck Run(Device device)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var spec = ModelCatalog.Get("resnet18_cifar") with { Widths = [4, 8, 8, 8], StemChannels = 4, NumClasses = 3, InChannels = 1 };
            using var model = new ResNet(spec);
            model.to(device);
            model.train();
            for (int step = 0; step < 2; step++)
            {
                using var scope = NewDisposeScope();
                var images = randn([4, 1, 16, 16], device: device);
                var labels = tensor(new long[] { 0, 1, 2, 0 }, device: device);
                var loss = nn.functional.cross_entropy(model.call(images), labels);
                model.zero_grad();
                loss.backward();
                if (!double.IsFinite(loss.item<float>()))
                    return new TrainingStepCheck(device.ToString(), false, clock.Elapsed.TotalSeconds, $"step {step + 1}: the loss is not finite");
                var bad = model.named_parameters().FirstOrDefault(p => p.parameter.grad is { } g && !isfinite(g).all().item<bool>());
                if (bad.name is not null)
                    return new TrainingStepCheck(device.ToString(), false, clock.Elapsed.TotalSeconds, $"step {step + 1}: the gradient of {bad.name} is not finite");
            }
            return new TrainingStepCheck(device.ToString(), true, clock.Elapsed.TotalSeconds, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new TrainingStepCheck(device.ToString(), false, clock.Elapsed.TotalSeconds, FirstLine(e.Message));
        }
    }

    internal static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
