using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Models;
using ResNetSharp.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Extensibility.Tests;

/// <summary>docs/TRAINING.md's "Plug in a dataset", as the guide writes it: images from files, an age and a gender per image.</summary>
public sealed class MyImages(IReadOnlyList<string> paths, float[] ages, long[] genders) : LabelledImageSet
{
    private static readonly ImagePreprocessing Crop = ImagePreprocessing.ForCrop(32);

    public override long Count => paths.Count;
    public override (int Channels, int Height, int Width) ImageShape => (3, 32, 32);
    public override IReadOnlyList<double> Mean => ImagePreprocessing.ImageNetMean;
    public override IReadOnlyList<double> Std => ImagePreprocessing.ImageNetStd;
    public override string Source => "my images";
    public override IReadOnlyList<LabelColumn> Columns => [LabelColumn.Values("age"), LabelColumn.Classes("gender", ["male", "female"])];

    public override Tensor Targets(string column) => column == "age"
        ? tensor(ages, [ages.Length, 1])    // float32 (N, 1); NaN = no label
        : tensor(genders);                  // int64 (N); -1 = no label

    public override Tensor ReadImages(long[] indices, Device device)   // uint8 (B, 3, 32, 32)
    {
        using var scope = NewDisposeScope();
        var images = indices.Select(i => Crop.ResizeAndCrop(ImageDecoder.Decode(paths[(int)i])).ToTensor()).ToArray();
        return stack(images).to(device).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Keeps docs/TRAINING.md honest: its C# compiles here and trains for a step. <see cref="MyImages"/> is above;
/// <see cref="PinballHead"/> and <see cref="PlainGradientDescent"/> are in CustomParts.cs as the guide writes them.
/// Change the guide and these together.
/// </summary>
public class TrainingGuideExamples
{
    /// <summary>Writes <paramref name="count"/> 32x32 PNGs of one flat colour each, with an age (every third missing) and a gender.</summary>
    private static MyImages Generate(string folder, int count, int seed)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var paths = new List<string>();
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque));
            bitmap.Erase(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            string path = Path.Combine(folder, $"{i}.png");
            using (var png = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(path, png.ToArray());
            paths.Add(path);
        }
        var ages = Enumerable.Range(0, count).Select(i => i % 3 == 2 ? float.NaN : random.Next(1, 90)).ToArray();
        var genders = Enumerable.Range(0, count).Select(i => (long)(i % 2)).ToArray();
        return new MyImages(paths, ages, genders);
    }

    [Fact]
    public void TheGuidesSetupsTrainAStepOnTheGuidesDataset()
    {
        using var folder = new Folder();
        using var trainSet = Generate(folder.File("train"), 4, 1);
        using var validationSet = Generate(folder.File("val"), 4, 2);

        // "What is trained, and how" (one epoch of one batch here, not ten of 256).
        using var setup = new TrainingSetup
        {
            CreateNetwork = () => MultiHeadNetwork.FromSpec(ModelCatalog.Get("resnet18_cifar"),
                [new RegressionHead("age", mean: [33.3], std: [19.9]), new ClassificationHead("gender", ["male", "female"])]),
            Train = trainSet,
            Validation = validationSet,
            OwnsData = false,
        };
        var config = new TrainingConfig { Schedule = new ScheduleConfig { Epochs = 1 }, Optimization = new OptimizationConfig { BatchSize = 4 } };
        var outcome = new Trainer(setup, config, folder.File("runs/mine"), CPU, new TrainingObserver()).Run(resume: false, force: false, CancellationToken.None);
        Assert.True(outcome.Completed);
        Assert.Equal(1, outcome.Progress.GlobalStep);
        Assert.Equal(3, outcome.LastEvaluation!.Heads["age"].Samples); // the third image's age is missing
        Assert.Equal(4, outcome.LastEvaluation.Heads["gender"].Samples);

        // "Plug in a head" and "Plug in an optimiser": the same setup with the guide's head and optimiser.
        using var custom = new TrainingSetup
        {
            CreateNetwork = () => MultiHeadNetwork.FromSpec(ModelCatalog.Get("resnet18_cifar"),
                [new PinballHead("age"), new ClassificationHead("gender", ["male", "female"])]),
            Train = trainSet,
            Validation = validationSet,
            OwnsData = false,
            CreateOptimizer = network => new PlainGradientDescent(network.named_parameters().Select(p => (p.name, (Tensor)p.parameter))),
        };
        var customOutcome = new Trainer(custom, config, folder.File("runs/custom"), CPU, new TrainingObserver()).Run(resume: false, force: false, CancellationToken.None);
        Assert.True(customOutcome.Completed);
        Assert.IsType<PinballResult>(customOutcome.LastEvaluation!.Heads["age"]);
        Assert.True(File.Exists(Path.Combine(folder.File("runs/custom"), "last.safetensors")));
    }

    /// <summary>A file of the repository these tests were built from (found by walking up to ResNetSharp.slnx).</summary>
    private static string RepositoryFile(string path)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "ResNetSharp.slnx")))
                return Path.Combine(folder.FullName, path);
        throw new FileNotFoundException($"no ResNetSharp.slnx above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void TheGuidesConfigJsonReads()
    {
        string guide = File.ReadAllText(RepositoryFile("docs/TRAINING.md"));
        int from = guide.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var config = TrainingConfig.FromJson(guide[from..guide.IndexOf("```", from, StringComparison.Ordinal)], "docs/TRAINING.md").Validate();
        Assert.Equal(RegressionLoss.SmoothL1, config.Heads[0].Loss);
        Assert.Equal(0.5, config.Heads[1].Weight);
        Assert.Equal(Precision.Bf16, config.Precision.Compute);
        Assert.Equal(new MetricTarget("age", "mae", 4.5), config.Run.Target);
    }
}
