using ResNetSharp.Imaging;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Analysis;

/// <summary>What Grad-CAM found for one image.</summary>
/// <param name="Map">Where the evidence lies, at the input's height and width, scaled to [0, 1].</param>
/// <param name="Class">The class explained.</param>
/// <param name="Probability">The model's softmax probability of that class.</param>
public sealed record GradCamExplanation(HeatMap Map, int Class, float Probability);

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017): which parts of an image raise a class's logit. A stage's output
/// channels are weighted by the spatial mean of the logit's gradient with respect to them, summed,
/// passed through ReLU, upsampled bilinearly to the input size and scaled to [0, 1] per image.
/// </summary>
public static class GradCam
{
    /// <summary>
    /// Explains each image of a batch. The model runs in eval mode for the call (its modes are restored
    /// after) and with gradients on, whatever the caller's no-grad state; no parameter's gradient changes.
    /// </summary>
    /// <param name="model">A network with a classifier.</param>
    /// <param name="input">Preprocessed images (N, C, H, W) on the model's device.</param>
    /// <param name="stage">The stage whose output is weighted, "layer1" ... "layerN"; null for the last stage (finest evidence, coarsest map).</param>
    /// <param name="classes">The class to explain for each image; null for each image's predicted class.</param>
    public static IReadOnlyList<GradCamExplanation> Explain(ResNet model, Tensor input, string? stage = null, IReadOnlyList<int>? classes = null)
    {
        if (model.NumClasses == 0)
            throw new ArgumentException("Grad-CAM explains a class score; the model has no classifier (NumClasses is 0).", nameof(model));
        var stageNames = model.Plan.Stages.Select(s => s.Name).ToList();
        int stageIndex = stage is null ? stageNames.Count - 1 : stageNames.IndexOf(stage);
        if (stageIndex < 0)
            throw new ArgumentException($"Unknown stage '{stage}'; expected one of {string.Join(", ", stageNames)}.", nameof(stage));
        if (classes is not null && classes.Count != input.shape[0])
            throw new ArgumentException($"{classes.Count} classes given for {input.shape[0]} images; expected one per image.", nameof(classes));
        if (classes?.FirstOrDefault(c => c < 0 || c >= model.NumClasses, -1) is int bad and >= 0)
            throw new ArgumentOutOfRangeException(nameof(classes), bad, $"expected classes in [0, {model.NumClasses - 1}].");

        using var mode = EvalMode.Enter(model);
        using var gradients = enable_grad();
        using var scope = NewDisposeScope();
        // An input that takes part in the graph, so the stage output has a gradient even when every parameter is frozen.
        var x = input.detach().requires_grad_(true);
        var (stages, features) = model.ForwardIntermediates(x);
        var activation = stages[stageIndex];
        var logits = model.ForwardHead(features).to(ScalarType.Float32);
        var chosen = classes is null ? logits.argmax(1) : tensor(classes.Select(c => (long)c).ToArray(), device: logits.device);
        var score = logits.gather(1, chosen.unsqueeze(1)).sum();
        var gradient = torch.autograd.grad([score], [activation])[0];

        var weights = gradient.to(ScalarType.Float32).mean([2, 3], keepdim: true);
        var cam = nn.functional.relu((weights * activation.detach().to(ScalarType.Float32)).sum(1, keepdim: true));
        var upsampled = nn.functional.interpolate(cam, [input.shape[2], input.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false)
            .squeeze(1).flatten(1);
        var low = upsampled.amin([1], keepdim: true);
        var range = upsampled.amax([1], keepdim: true) - low;
        // A map with no positive evidence anywhere stays zero rather than dividing by zero.
        var scaled = (upsampled - low) / range.clamp_min(1e-12f);
        var probabilities = nn.functional.softmax(logits.detach(), 1).gather(1, chosen.unsqueeze(1)).squeeze(1).cpu();

        var maps = scaled.cpu().data<float>().ToArray();
        var chosenIds = chosen.cpu().data<long>().ToArray();
        var probabilityValues = probabilities.data<float>().ToArray();
        int height = (int)input.shape[2], width = (int)input.shape[3], area = height * width;
        return Enumerable.Range(0, chosenIds.Length)
            .Select(i => new GradCamExplanation(new HeatMap(maps[(i * area)..((i + 1) * area)], height, width), (int)chosenIds[i], probabilityValues[i]))
            .ToList();
    }
}
