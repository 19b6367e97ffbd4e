using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ResNetSharp.Analysis;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Common;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet explain: Grad-CAM heat maps over the images, for the class given or the one predicted, from
/// any stage; one PNG overlay per image on the crop the model saw.
/// </summary>
public static class ExplainCommand
{
    /// <summary>What --json prints for one image.</summary>
    /// <param name="Input">The image file.</param>
    /// <param name="Output">The overlay PNG written.</param>
    /// <param name="Class">Index of the class explained.</param>
    /// <param name="ClassName">Its name.</param>
    /// <param name="Probability">The model's probability of that class.</param>
    /// <param name="Peak">[x, y] of the heat map's maximum, in pixels of the model's input (the crop).</param>
    public sealed record Explanation(string Input, string Output, int Class, string ClassName, float Probability, int[] Peak);

    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var inputs = new Argument<string[]>("images") { Description = "Image files to explain", Arity = ArgumentArity.OneOrMore };
        var target = new Option<DirectoryInfo>("--output", "-o") { Description = "Folder for the overlays (NAME.gradcam.png per image)", Required = true };
        var classOption = new Option<string?>("--class") { Description = "Class to explain, by index or name [default: each image's predicted class]" };
        var stage = new Option<string?>("--stage") { Description = "Stage whose output is explained: layer1 ... layerN [default: the last, layer4 in ImageNet ResNets]" };
        var opacity = new Option<double>("--opacity") { Description = "Weight of the heat map over the image, 0 to 1", DefaultValueFactory = _ => 0.5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON array: class, probability, peak and overlay of each image" };
        var command = new Command("explain", "Grad-CAM: write heat-map overlays showing where each image's evidence for a class lies");
        model.AddTo(command);
        foreach (var option in new Option[] { target, classOption, stage, opacity, json })
            command.Add(option);
        command.Add(inputs);
        command.SetAction(parsed =>
        {
            double weight = parsed.GetValue(opacity);
            if (weight is < 0 or > 1 || double.IsNaN(weight))
                throw new UsageException($"--opacity must be between 0 and 1; got {weight}.");
            var files = parsed.GetValue(inputs)!;
            using var loaded = model.Load(parsed);
            string? stageName = parsed.GetValue(stage);
            var stages = loaded.Model.Plan.Stages.Select(s => s.Name).ToList();
            if (stageName is not null && !stages.Contains(stageName))
                throw new UsageException($"--stage '{stageName}' is not a stage of {loaded.Name}; expected one of {string.Join(", ", stages)}.");
            int? classIndex = parsed.GetValue(classOption) is { } given ? ResolveClass(given, loaded.ClassNames) : null;

            var folder = parsed.GetValue(target)!;
            Directory.CreateDirectory(folder.FullName);
            var names = new OverlayNames(folder.FullName);
            var explanations = new List<Explanation>(files.Length);
            foreach (var file in files)
            {
                var pixels = loaded.Preprocessing.ResizeAndCrop(ImageDecoder.Decode(file));
                GradCamExplanation explanation;
                using (var planes = pixels.ToTensor().unsqueeze(0))
                using (var x = loaded.Prepare(planes))
                    explanation = GradCam.Explain(loaded.Model, x, stageName, classIndex is int c ? [c] : null)[0];
                string path = names.For(file);
                byte[] png = HeatMapOverlay.ToPng(pixels, explanation.Map, weight);
                AtomicFile.Write(path, stream => stream.Write(png));
                var (peakX, peakY) = explanation.Map.Peak;
                var result = new Explanation(file, path, explanation.Class, loaded.ClassNames[explanation.Class], explanation.Probability, [peakX, peakY]);
                explanations.Add(result);
                if (!parsed.GetValue(json))
                    output.WriteLine($"{file}: {result.ClassName} ({result.Probability:P1}), peak at ({peakX}, {peakY}) -> {path}");
            }
            if (parsed.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(explanations, JsonOutput.Options));
            return 0;
        });
        return command;
    }

    /// <summary>A class given by index ("3") or by name ("cat").</summary>
    private static int ResolveClass(string given, IReadOnlyList<string> classNames)
    {
        int byName = classNames.ToList().IndexOf(given);
        if (byName >= 0)
            return byName;
        if (int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return index < classNames.Count ? index
                : throw new UsageException($"--class {index} is out of range; the model has {classNames.Count} classes (0 to {classNames.Count - 1}).");
        var close = CloseMatches.Find(given, classNames);
        throw new UsageException($"--class '{given}' is neither a class index nor a class name" +
            (close.Count > 0 ? $"; did you mean {string.Join(", ", close)}?" : $"; the model has {classNames.Count} classes."));
    }

    /// <summary>NAME.gradcam.png per image; a second image of the same name gets NAME-2.gradcam.png, and so on.</summary>
    private sealed class OverlayNames(string folder)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public string For(string image)
        {
            string stem = Path.GetFileNameWithoutExtension(image);
            string name = stem;
            for (int n = 2; !_used.Add(name); n++)
                name = $"{stem}-{n}";
            return Path.Combine(folder, name + ".gradcam.png");
        }
    }
}
