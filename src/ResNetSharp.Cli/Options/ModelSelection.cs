using System.CommandLine;
using ResNetSharp.Interop;
using ResNetSharp.Models;

namespace ResNetSharp.Cli.Options;

/// <summary>The options that pick a network: a catalog name or a JSON spec, and what to change about it.</summary>
public sealed class ModelSelection
{
    /// <summary>--model NAME</summary>
    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = $"Catalog model: {string.Join(", ", ModelCatalog.Names)}",
    };

    /// <summary>--spec FILE</summary>
    public Option<FileInfo?> Spec { get; } = new("--spec")
    {
        Description = "A JSON spec file instead of a catalog name (see docs/MODELS.md)",
    };

    /// <summary>--num-classes N</summary>
    public Option<int?> NumClasses { get; } = new("--num-classes")
    {
        Description = "Classifier outputs (0: no classifier) [default: the model's own]",
    };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Add(Model);
        command.Add(Spec);
        command.Add(NumClasses);
    }

    /// <summary>The chosen spec and a name to show for it, with the overrides applied.</summary>
    /// <param name="parsed">The command line.</param>
    /// <param name="inChannels">Input channels to build for (default: the spec's).</param>
    /// <param name="fromWeights">The model a weights file names (see <see cref="FromWeights"/>), used when neither --model nor --spec is given.</param>
    public (string Name, ResNetSpec Spec) Resolve(ParseResult parsed, int? inChannels = null, Func<(string Name, ResNetSpec Spec)>? fromWeights = null)
    {
        string? name = parsed.GetValue(Model);
        var file = parsed.GetValue(Spec);
        if (name is not null && file is not null)
            throw new UsageException("give exactly one of --model NAME or --spec FILE.");
        var (chosen, spec) = name is not null ? (name, ModelResolver.Resolve(name))
            : file is not null ? (file.Name, ResNetSpecJson.Load(file.FullName))
            : fromWeights is not null ? fromWeights()
            : throw new UsageException("give exactly one of --model NAME or --spec FILE.");
        int? classes = parsed.GetValue(NumClasses);
        if (classes is int count)
            OptionChecks.Between(count, 0, SpecLimits.MaxClasses, "--num-classes");
        spec = spec with { NumClasses = classes ?? spec.NumClasses, InChannels = inChannels ?? spec.InChannels };
        return (chosen, spec.Validate());
    }

    /// <summary>The model that <paramref name="metadata"/>, read from <paramref name="weights"/>, names, or a usage error asking for --model.</summary>
    public static (string Name, ResNetSpec Spec) FromWeights(IReadOnlyDictionary<string, string> metadata, string weights) =>
        WeightsModel.FromMetadata(metadata, weights)
            ?? throw new UsageException($"{WeightsModel.Unnamed(weights)}; give --model NAME or --spec FILE.");
}
