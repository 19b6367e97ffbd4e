using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data.Images;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// resnet embed: pooled pre-logit features for every image in a folder, as a float32 .npy matrix
/// (one row per image) plus the row index: JSON lines <c>{"row":N,"path":"..."}</c>, which no file name can break.
/// </summary>
public static class EmbedCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder of images (searched recursively)" };
        var target = new Option<string>("--output", "-o") { Description = "Feature matrix .npy; the row index goes to the same name with .paths.jsonl", Required = true };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Images per batch", DefaultValueFactory = _ => 64 };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Leave out files that do not decode (listed at the end)" };
        var command = new Command("embed", "Write pooled features of a folder of images for search and clustering");
        model.AddTo(command);
        command.Add(target);
        command.Add(batch);
        command.Add(skipBad);
        command.Add(folder);
        command.SetAction(parsed =>
        {
            OptionChecks.AtLeast(parsed.GetValue(batch), 1, "--batch-size");
            string npy = parsed.GetValue(target)!;
            var files = ImageFolderIndex.ListImages(parsed.GetValue(folder)!.FullName);
            using var loaded = model.Load(parsed);
            var stream = new ImageBatchStream(files, loaded.Preprocessing, parsed.GetValue(batch),
                parsed.GetValue(skipBad) ? BadImagePolicy.Skip : BadImagePolicy.Fail);
            var rows = new List<float>();
            var paths = new List<string>();
            foreach (var images in stream.Batches())
            {
                using var scope = NewDisposeScope();
                using (images.Pixels)
                using (no_grad())
                {
                    var features = loaded.Model.Embed(loaded.Prepare(images.Pixels)).to(ScalarType.Float32).cpu();
                    rows.AddRange(features.data<float>());
                    paths.AddRange(images.Paths);
                }
            }
            if (paths.Count == 0)
                throw new InvalidDataException($"{parsed.GetValue(folder)!.FullName}: none of the {files.Count} images decoded, so nothing was written " +
                    $"({string.Join("; ", stream.Skipped.Take(3).Select(s => s.Problem))}{(stream.Skipped.Count > 3 ? "; …" : "")}).");
            int width = loaded.Model.NumFeatures;
            NpyFile.WriteFloat32(npy, rows.ToArray(), paths.Count, width);
            string listing = Path.ChangeExtension(npy, ".paths.jsonl");
            PathsFile.Write(listing, paths);
            foreach (var (path, problem) in stream.Skipped)
                output.WriteLine($"skipped {problem}");
            output.WriteLine($"{paths.Count} x {width} features -> {npy}; paths -> {listing}" +
                (stream.Skipped.Count > 0 ? $"; {stream.Skipped.Count} skipped" : ""));
            return 0;
        });
        return command;
    }
}
