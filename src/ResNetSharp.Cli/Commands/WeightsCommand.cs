using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Imaging;
using ResNetSharp.Zoo;
using Spectre.Console;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet weights: the registry of named pretrained weights and the local cache (list, pull, import, verify).</summary>
public static class WeightsCommand
{
    /// <summary>One weight set as <c>resnet weights list --json</c> prints it.</summary>
    public sealed record WeightsListing(
        string Name, string Model, string Tag, bool Default, string File, string Url, string Sha256, bool Sha256Complete, long? Bytes,
        double? Top1, double? Top5, long? NumParams, int NumClasses, PreprocessingListing Preprocessing, bool Cached, string Path);

    /// <summary>The preprocessing part of <see cref="WeightsListing"/>.</summary>
    public sealed record PreprocessingListing(int ResizeTo, int CropTo, string Interpolation, IReadOnlyList<double> Mean, IReadOnlyList<double> Std);

    /// <summary>Creates the command group; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var command = new Command("weights", "Named pretrained weights: list the registry, pull (download and check), import, verify the cache");
        command.Add(List(output));
        command.Add(Pull(output));
        command.Add(Import(output));
        command.Add(Verify(output));
        return command;
    }

    private static Command List(TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object per weight set" };
        var model = new Option<string?>("--model", "-m") { Description = "Only the weights of this model" };
        var command = new Command("list", "The registered weights with their accuracy, preprocessing and whether they are cached") { json, model };
        command.SetAction(parsed =>
        {
            var registry = WeightsRegistry.FromEnvironment();
            var cache = WeightsCache.FromEnvironment();
            var entries = registry.Entries.Where(e => parsed.GetValue(model) is not { } m || e.Model == m).ToList();
            if (entries.Count == 0)
                throw new UsageException($"--model {parsed.GetValue(model)}: no registered weights; models with weights: {string.Join(", ", registry.Entries.Select(e => e.Model).Distinct())}.");
            var listings = entries.Select(e => Listing(e, cache)).ToList();
            if (parsed.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(listings, JsonOutput.Options));
                return 0;
            }
            var table = new Table().Border(TableBorder.Simple);
            foreach (var column in new[] { "name", "default", "top-1", "top-5", "params", "resize/crop", "cached", "sha-256" })
                table.AddColumn(column);
            foreach (var l in listings)
                table.AddRow(Markup.Escape(l.Name), l.Default ? "yes" : "", Number(l.Top1), Number(l.Top5),
                    l.NumParams is { } p ? $"{p / 1e6:F1}M" : "", $"{l.Preprocessing.ResizeTo}/{l.Preprocessing.CropTo}",
                    l.Cached ? "yes" : "", l.Sha256Complete ? l.Sha256[..12] + "…" : l.Sha256 + " (prefix only)");
            var console = Consoles.For(output);
            if (!console.Profile.Capabilities.Interactive)
                console.Profile.Width = Math.Max(console.Profile.Width, 120);
            console.Write(table);
            console.WriteLine($"cache: {cache.WeightsFolder}");
            return 0;
        });
        return command;
    }

    private static Command Pull(TextWriter output)
    {
        var names = new Argument<string[]>("names") { Description = "MODEL:TAG, MODEL:DEFAULT or a model name, e.g. resnet50:IMAGENET1K_V2", Arity = ArgumentArity.OneOrMore };
        var command = new Command("pull", $"Download weights into the cache, checked against their SHA-256 (resumable; {WeightsDownloader.MirrorVariable} names a mirror)") { names };
        command.SetAction(parsed =>
        {
            var registry = WeightsRegistry.FromEnvironment();
            var wanted = parsed.GetValue(names)!.Select(registry.Find).ToList();
            foreach (var weights in wanted)
            {
                string path = WeightsArgument.Pull(weights, output);
                output.WriteLine($"{weights.Name} -> {path}");
            }
            return 0;
        });
        return command;
    }

    private static Command Import(TextWriter output)
    {
        var file = new Argument<FileInfo>("file") { Description = "A published weights file fetched by hand, e.g. resnet50-11ad3fa6.pth" };
        var name = new Option<string?>("--name") { Description = "The weights it should be [default: found by its SHA-256]" };
        var command = new Command("import", "Check a weights file against the registry's SHA-256 and store it in the cache with its model card") { file, name };
        command.SetAction(parsed =>
        {
            var source = parsed.GetValue(file)!;
            if (!source.Exists)
                throw new FileNotFoundException($"weights file not found: {source.FullName}", source.FullName);
            var registry = WeightsRegistry.FromEnvironment();
            string sha256 = WeightsCache.FileDigest(source.FullName);
            PretrainedWeights weights;
            if (parsed.GetValue(name) is { } wanted)
            {
                weights = registry.Find(wanted);
                if (!weights.Matches(sha256))
                    throw new InvalidDataException($"{source.FullName}: SHA-256 {sha256} is not that of {weights.Name} ({weights.Sha256}); nothing was imported.");
            }
            else
                weights = registry.FindByDigest(sha256)
                    ?? throw new InvalidDataException($"{source.FullName}: SHA-256 {sha256} matches no registered weights; nothing was imported ('resnet weights list' shows the known files).");
            string path = WeightsCache.FromEnvironment().Store(weights, source.FullName, sha256);
            output.WriteLine($"{source.FullName}: SHA-256 {sha256} is {weights.Name}" + (weights.HasFullSha256 ? "" : $" (the registry knows its prefix {weights.Sha256})"));
            output.WriteLine($"{weights.Name} -> {path}");
            return 0;
        });
        return command;
    }

    private static Command Verify(TextWriter output)
    {
        var names = new Argument<string[]>("names") { Description = "Weights to check [default: every cached one]", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("verify", "Check cached weights against the digests recorded when they were stored; exit 1 if any is damaged") { names };
        command.SetAction(parsed =>
        {
            var registry = WeightsRegistry.FromEnvironment();
            var cache = WeightsCache.FromEnvironment();
            var given = parsed.GetValue(names) ?? [];
            var entries = given.Length > 0
                ? given.Select(registry.Find).ToList()
                : registry.Entries.Where(e => File.Exists(cache.PathOf(e))).ToList();
            if (entries.Count == 0)
            {
                output.WriteLine($"no weights in {cache.WeightsFolder}");
                return 0;
            }
            int failures = 0;
            foreach (var check in entries.Select(cache.Verify))
            {
                bool bad = check.Status != WeightsCheckStatus.Ok;
                failures += bad ? 1 : 0;
                output.WriteLine($"{(bad ? "FAILED" : "ok")}  {check.Name}  {check.Path}: {check.Detail}");
            }
            output.WriteLine(failures == 0 ? $"{entries.Count} verified" : $"{failures} of {entries.Count} failed");
            return failures == 0 ? 0 : CliApp.RuntimeError;
        });
        return command;
    }

    private static WeightsListing Listing(PretrainedWeights w, WeightsCache cache) =>
        new(w.Name, w.Model, w.Tag, w.IsDefault, w.File, w.Url.ToString(), w.Sha256, w.HasFullSha256, w.Bytes,
            w.Metrics?.Top1, w.Metrics?.Top5, w.NumParams, w.ClassNames.Count, Preprocessing(w.Preprocessing, w.Interpolation),
            cache.TryGet(w) is not null, cache.PathOf(w));

    private static PreprocessingListing Preprocessing(ImagePreprocessing p, string interpolation) =>
        new(p.ResizeTo, p.CropTo, interpolation, p.Mean, p.Std);

    private static string Number(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "";
}
