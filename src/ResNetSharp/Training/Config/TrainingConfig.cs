namespace ResNetSharp.Training;

/// <summary>
/// Everything that defines a training run, by concern. The defaults train resnet18_cifar on
/// Fashion-MNIST to about 95% test accuracy; a checkpoint stores the config, and a resume refuses a
/// different one. <see cref="Model"/>, <see cref="Heads"/> and <see cref="Data"/> say what is trained
/// and are read by <see cref="TrainingSetup.FromConfig"/>; the other sections say how, and are read by
/// the <see cref="Trainer"/> whatever the setup.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>Catalog model name or spec .json file: the backbone.</summary>
    public string Model { get; init; } = "resnet18_cifar";

    /// <summary>The heads to train (empty: one classification head, the network's torchvision-named classifier <c>fc</c>).</summary>
    public IReadOnlyList<HeadConfig> Heads { get; init; } = [];

    /// <summary>Where the images and labels come from.</summary>
    public DataConfig Data { get; init; } = new();

    /// <summary>Augmentation and regularisation.</summary>
    public AugmentationConfig Augmentation { get; init; } = new();

    /// <summary>Optimiser, batch size, clipping and the weight average.</summary>
    public OptimizationConfig Optimization { get; init; } = new();

    /// <summary>Epochs and the learning-rate schedule.</summary>
    public ScheduleConfig Schedule { get; init; } = new();

    /// <summary>Compute precision and memory layout.</summary>
    public PrecisionConfig Precision { get; init; } = new();

    /// <summary>Starting weights, frozen parts and the backbone's learning rate.</summary>
    public TransferConfig Transfer { get; init; } = new();

    /// <summary>Seed, checkpoints, logging, evaluation and the early-stop target.</summary>
    public RunConfig Run { get; init; } = new();

    /// <summary>Checks every value; throws a <see cref="ConfigException"/> naming the first bad one by its JSON path.</summary>
    public TrainingConfig Validate()
    {
        ConfigException.Require(Model is { Length: > 0 }, "model", Model, "a catalog name or a spec file");
        if (Heads is null)
            throw new ConfigException("heads", null, "a list of heads");
        for (int i = 0; i < Heads.Count; i++)
            (Heads[i] ?? throw new ConfigException($"heads[{i}]", null, "a head")).Validate($"heads[{i}]");
        var duplicate = Heads.GroupBy(h => h.Name).FirstOrDefault(g => g.Count() > 1);
        ConfigException.Require(duplicate is null, "heads", duplicate?.Key, "distinct head names");
        Section(Data, "data").Validate("data");
        Section(Augmentation, "augmentation").Validate("augmentation");
        Section(Optimization, "optimization").Validate("optimization");
        Section(Schedule, "schedule").Validate("schedule");
        Section(Precision, "precision").Validate("precision");
        Section(Transfer, "transfer").Validate("transfer");
        Section(Run, "run").Validate("run");
        ConfigException.Require(Schedule.WarmupEpochs < Schedule.Epochs, "schedule.warmupEpochs", Schedule.WarmupEpochs, "fewer than schedule.epochs");
        return this;
    }

    // A config file may say "run": null; a section is an object or absent.
    private static T Section<T>(T? section, string path) where T : class =>
        section ?? throw new ConfigException(path, null, "an object (or leave it out for the defaults)");

    /// <summary>The config as indented JSON, sections nested.</summary>
    public string ToJson() => ConfigJson.Write(this);

    /// <summary>Parses a config's JSON; unknown fields and bad values name <paramref name="source"/> and the property.</summary>
    public static TrainingConfig FromJson(string json, string source) => ConfigJson.Read(json, source);

    /// <summary>Properties that differ from <paramref name="other"/>, as "path: this -> other".</summary>
    public IReadOnlyList<string> Differences(TrainingConfig other) => ConfigJson.Differences(this, other);
}
