using System.CommandLine;
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
        Description = "Classifier outputs (0: no classifier); default: the model's own",
    };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Add(Model);
        command.Add(Spec);
        command.Add(NumClasses);
    }

    /// <summary>The chosen spec and a name to show for it, with the overrides applied.</summary>
    public (string Name, ResNetSpec Spec) Resolve(ParseResult parsed, int? inChannels = null)
    {
        string? name = parsed.GetValue(Model);
        var file = parsed.GetValue(Spec);
        if (name is null == file is null)
            throw new UsageException("give exactly one of --model NAME or --spec FILE.");
        var spec = file is null ? ModelResolver.Resolve(name!) : ResNetSpecJson.Load(file.FullName);
        int? classes = parsed.GetValue(NumClasses);
        if (classes is int count)
            OptionChecks.AtLeast(count, 0, "--num-classes");
        spec = spec with { NumClasses = classes ?? spec.NumClasses, InChannels = inChannels ?? spec.InChannels };
        return (name ?? file!.Name, spec.Validate());
    }
}
