using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Cli.Output;
using ResNetSharp.Data.Images;
using ResNetSharp.Search;
using ResNetSharp.Training;
using ResNetSharp.Zoo;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet index: image search indexes. <c>build</c> embeds a folder of images (L2-normalised pooled features)
/// into a new HNSW index; <c>add</c> embeds more images into an existing one with the model it was built with.
/// </summary>
public static class IndexCommand
{
    /// <summary>Creates the command group; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var command = new Command("index", "Image search indexes: build one from a folder of images, add images to one");
        command.Add(Build(output));
        command.Add(Add(output));
        return command;
    }

    private sealed class EmbeddingOptions
    {
        public Option<int> Batch { get; } = new("--batch-size", "-b") { Description = "Images per forward", DefaultValueFactory = _ => 64 };
        public Option<bool> SkipBad { get; } = new("--skip-bad-images") { Description = "Leave out files that do not decode (listed at the end)" };
        public Option<int> SaveEvery { get; } = new("--save-every") { Description = "Save the index after this many images, so a stopped run keeps its work (0: only at the end)", DefaultValueFactory = _ => 10_000 };

        public void AddTo(Command command)
        {
            command.Add(Batch);
            command.Add(SkipBad);
            command.Add(SaveEvery);
        }

        /// <summary>Embeds and adds <paramref name="files"/>, with progress; returns how many were added.</summary>
        public int Fill(ParseResult parsed, ImageIndex index, IReadOnlyList<string> files, TextWriter output)
        {
            int batch = parsed.GetValue(Batch), saveEvery = parsed.GetValue(SaveEvery);
            OptionChecks.AtLeast(batch, 1, "--batch-size");
            OptionChecks.AtLeast(saveEvery, 0, "--save-every");
            var skipped = new List<string>();
            int added = ProgressDisplay.Run(output, "embedding", ProgressDisplay.Unit.Items, progress =>
                index.AddImages(files, batch, parsed.GetValue(SkipBad) ? BadImagePolicy.Skip : BadImagePolicy.Fail, saveEvery, progress,
                    (_, problem) => skipped.Add(problem)));
            index.Save();
            foreach (string problem in skipped)
                output.WriteLine($"skipped {problem}");
            return added;
        }
    }

    private static Command Build(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var embedding = new EmbeddingOptions();
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder of images (searched recursively)" };
        var target = new Option<DirectoryInfo>("--output", "-o") { Description = "The index folder to create", Required = true };
        var connectivity = new Option<int>("--connectivity") { Description = "HNSW neighbours per node (0: USearch's default, 16)" };
        var expansion = new Option<int>("--expansion-add") { Description = "HNSW candidates per insertion (0: USearch's default, 128)" };
        var command = new Command("build", "Embed a folder of images with a model and build an HNSW index of them");
        model.AddTo(command);
        embedding.AddTo(command);
        command.Add(target);
        command.Add(connectivity);
        command.Add(expansion);
        command.Add(folder);
        command.SetAction(parsed =>
        {
            OptionChecks.AtLeast(parsed.GetValue(connectivity), 0, "--connectivity");
            OptionChecks.AtLeast(parsed.GetValue(expansion), 0, "--expansion-add");
            string indexFolder = parsed.GetValue(target)!.FullName;
            if (File.Exists(Path.Combine(indexFolder, "index.json")))
                throw new UsageException($"--output {indexFolder} already holds an index; add images with 'resnet index add --index {indexFolder} FOLDER', or choose another folder.");
            var files = ImageFolderIndex.ListImages(parsed.GetValue(folder)!.FullName);
            using var loaded = model.Load(parsed);
            var description = ImageEmbedder.Describe(loaded.Name, loaded.Model, loaded.WeightsFile,
                loaded.WeightsMetadata.GetValueOrDefault(WeightsCache.NameKey), loaded.Preprocessing);
            using var embedder = new ImageEmbedder(loaded.Model, description, loaded.Device, ownsModel: false);
            int added;
            using (var index = ImageIndex.Create(indexFolder, description,
                new ImageIndexOptions(parsed.GetValue(connectivity), parsed.GetValue(expansion)), loaded.Device, embedder))
            {
                try
                {
                    added = embedding.Fill(parsed, index, files, output);
                }
                catch when (index.SavedCount > 0)
                {
                    output.WriteLine($"the index in {indexFolder} keeps the {index.SavedCount} images saved so far; " +
                        $"'resnet index add --index {indexFolder} {parsed.GetValue(folder)!.FullName}' goes on from there.");
                    throw;
                }
            }
            output.WriteLine($"{added} images x {description.Dimensions} features ({description.Name}) -> {indexFolder}");
            return 0;
        });
        return command;
    }

    private static Command Add(TextWriter output)
    {
        var embedding = new EmbeddingOptions();
        var index = new Option<DirectoryInfo>("--index", "-i") { Description = "The index folder", Required = true };
        var inputs = new Argument<string[]>("images") { Description = "Image files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var command = new Command("add", "Embed more images with the index's own model and add them (files already indexed are skipped)");
        embedding.AddTo(command);
        command.Add(index);
        command.Add(device);
        command.Add(inputs);
        command.SetAction(parsed =>
        {
            var files = ImageFiles(parsed.GetValue(inputs)!);
            using var opened = ImageIndex.Open(parsed.GetValue(index)!.FullName, writable: true, device: DeviceSelection.Parse(parsed.GetValue(device)!));
            int before = opened.Count;
            int added = embedding.Fill(parsed, opened, files, output);
            output.WriteLine($"{added} images added ({files.Count - added} already indexed or skipped); {opened.Count} in {opened.Folder}" +
                (before == opened.Count ? " (unchanged)" : ""));
            return 0;
        });
        return command;
    }

    /// <summary>Image files named directly, and every image inside the folders named.</summary>
    internal static IReadOnlyList<string> ImageFiles(IEnumerable<string> inputs) => ImageInputs.Expand(inputs.Select(Path.GetFullPath));
}
