using ResNetSharp.Cli;
using ResNetSharp.Cli.Output;
using ResNetSharp.Models;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Cli;

/// <summary>resnet train's recipe line, run folders (versions, refusal, config.json) and MODEL_CARD.md.</summary>
public class RunFolderCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => SummaryCommandTests.Run(args);

    [Fact]
    public void TrainSaysItsRecipeWritesConfigAndCardAndRefusesASecondRunIntoTheSameFolder()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("recipe");
        // No --model: the recipe's network (the CPU one without a GPU); --device cpu, so auto picks the CPU recipe anywhere.
        var (code, output, error) = Run("train", "--data-dir", run.DataDir, "--epochs", "1", "--batch-size", "16", "--device", "cpu", "-o", folder, "--quiet");
        Assert.True(code == 0, error);
        string first = output.Split('\n')[0];
        Assert.StartsWith("no GPU: CPU recipe (resnet10_cifar_w8", first);
        Assert.Contains("--recipe full", first);

        // config.json is the resolved config, in the format --config reads: the recipe's values under the options given.
        string configPath = Path.Combine(folder, RunFolder.ConfigFileName);
        var saved = TrainingConfig.FromJson(File.ReadAllText(configPath), configPath);
        Assert.Equal("resnet10_cifar_w8", saved.Model);
        Assert.Equal(0.2, saved.Optimization.LearningRate);
        Assert.Equal(0, saved.Augmentation.ErasingProbability);
        Assert.Equal(16, saved.Optimization.BatchSize);
        Assert.Equal(1, saved.Schedule.Epochs);

        string card = File.ReadAllText(Path.Combine(folder, ModelCard.FileName));
        Assert.StartsWith("# resnet10_cifar_w8 on fashion-mnist", card);
        Assert.Contains("Finished: 1 of 1 epochs.", card);
        Assert.Contains("recipe `cpu`", card);
        Assert.Contains("| parameters | 77,858 |", card); // one input channel, ten classes
        Assert.Contains("## Per class (epoch 1)", card);
        Assert.Contains("| T-shirt/top |", card);
        Assert.Contains("![Confusion matrix](confusion.png)", card);
        Assert.Contains("[config.json](config.json)", card);
        Assert.Empty(Directory.GetFiles(folder, ResNetSharp.Common.AtomicFile.TemporaryPrefix + "*"));

        // Again into the finished run's folder: a usage error naming --resume, in one line; the run is left as it was.
        var (again, againOutput, againError) = Run("train", "--data-dir", run.DataDir, "--epochs", "1", "--batch-size", "16", "--device", "cpu",
            "-o", folder, "--quiet");
        Assert.Equal(CliApp.UsageError, again);
        Assert.Contains("--resume", againError);
        Assert.Single(againError.Trim().Split('\n'));
        Assert.Equal(card, File.ReadAllText(Path.Combine(folder, ModelCard.FileName)));

        // config.json runs again as a --config file.
        string repeat = run.RunFolder("repeat");
        var (repeated, _, repeatError) = Run("train", "--config", configPath, "--data-dir", run.DataDir, "--device", "cpu", "-o", repeat, "--quiet");
        Assert.True(repeated == 0, repeatError);
        Assert.Equal(File.ReadAllText(configPath), File.ReadAllText(Path.Combine(repeat, RunFolder.ConfigFileName)));
    }

    [Fact]
    public void AResumeWithoutOptionsContinuesWithTheRunsOwnSettingsNotTheRecipes()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("own");
        // Settings the auto recipe does not have (the cpu one trains resnet10_cifar_w8 with batches of 128 at lr 0.2).
        var (code, _, error) = Run("train", "--model", run.ModelFile, "--data-dir", run.DataDir, "--epochs", "1", "--batch-size", "16",
            "--lr", "0.05", "--device", "cpu", "-o", folder, "--quiet");
        Assert.True(code == 0, error);
        string configPath = Path.Combine(folder, RunFolder.ConfigFileName);
        string config = File.ReadAllText(configPath);

        var (resumed, output, resumeError) = Run("train", "--data-dir", run.DataDir, "--device", "cpu", "-o", folder, "--resume", "--quiet");
        Assert.True(resumed == 0, resumeError);
        Assert.StartsWith($"resuming {folder} with its own settings (config.json)", output);
        Assert.Equal(config, File.ReadAllText(configPath));

        // An option still overrides the saved settings, and a changed setting is still refused without --force.
        var (changed, _, changedError) = Run("train", "--data-dir", run.DataDir, "--lr", "0.1", "--device", "cpu", "-o", folder, "--resume", "--quiet");
        Assert.Equal(CliApp.UsageError, changed);
        Assert.Contains("optimization.learningRate: 0.05 -> 0.1", changedError);
        Assert.Contains("--force", changedError);
    }

    [Fact]
    public void ASecondRunIntoTheDefaultFolderGetsTheNextVersion()
    {
        using var run = new TinyRun();
        string work = run.RunFolder("cwd");
        Directory.CreateDirectory(work);
        string before = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = work; // the default folder is runs/MODEL-DATA under the current folder
            string[] args = ["train", "--model", run.ModelFile, "--data-dir", run.DataDir, "--epochs", "1", "--batch-size", "48", "--device", "cpu", "--quiet"];
            var (firstCode, _, firstError) = Run(args);
            Assert.True(firstCode == 0, firstError);
            var (secondCode, secondOutput, secondError) = Run(args);
            Assert.True(secondCode == 0, secondError);

            string named = Path.Combine("runs", "tiny-fashion-mnist");
            Assert.Contains($"run folder: {named}-2 ({named} holds an earlier run)", secondOutput);
            Assert.True(File.Exists(Path.Combine(work, named, "checkpoint.safetensors")));
            Assert.True(File.Exists(Path.Combine(work, named + "-2", "checkpoint.safetensors")));
        }
        finally
        {
            Environment.CurrentDirectory = before;
        }
    }

    [Fact]
    public void TheAutoRecipeIsFullOnAGpuAndCpuElsewhere()
    {
        Assert.Same(TrainingRecipe.Cpu, TrainingRecipe.For(RecipeKind.Auto, CPU));
        Assert.Same(TrainingRecipe.Full, TrainingRecipe.For(RecipeKind.Auto, new Device(TorchSharp.DeviceType.CUDA, 0)));
        Assert.Same(TrainingRecipe.Full, TrainingRecipe.For(RecipeKind.Full, CPU));
        Assert.Same(TrainingRecipe.Cpu, TrainingRecipe.For(RecipeKind.Cpu, new Device(TorchSharp.DeviceType.CUDA, 0)));
        Assert.Equal(new TrainingConfig(), TrainingRecipe.Full.Config);
        Assert.True(ModelCatalog.Contains(TrainingRecipe.Cpu.Config.Model));
        TrainingRecipe.Cpu.Config.Validate();
    }
}
