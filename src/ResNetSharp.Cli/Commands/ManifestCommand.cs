using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet manifest utkface: UTKFace's file names (AGE_GENDER_RACE_DATETIME.jpg) as a CSV manifest for multi-head training.</summary>
public static class ManifestCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder of UTKFace images" };
        var train = new Option<string>("--output", "-o") { Description = "Manifest of the training images", Required = true };
        var val = new Option<string?>("--val-output") { Description = "Manifest of the validation images (with --val-fraction)" };
        var fraction = new Option<double>("--val-fraction") { Description = "Share of the images for validation, chosen by a seeded shuffle", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split", DefaultValueFactory = _ => 0 };
        var utkface = new Command("utkface", "Write UTKFace's labels (age, gender, race) from its file names as CSV manifests") { folder, train, val, fraction, seed };
        utkface.SetAction(parsed =>
        {
            var root = parsed.GetValue(folder)!;
            if (!root.Exists)
                throw new DirectoryNotFoundException($"UTKFace folder not found: {root.FullName}");
            double share = parsed.GetValue(fraction);
            string? valPath = parsed.GetValue(val);
            if (share is < 0 or >= 1)
                throw new UsageException($"--val-fraction must be in [0, 1); got {share}.");
            var (samples, skipped) = UtkFaceNames.Scan(root.FullName);
            var random = new Random(parsed.GetValue(seed));
            var order = samples.OrderBy(_ => random.Next()).ToList();
            int validation = valPath is null ? 0 : (int)Math.Round(order.Count * share);
            UtkFaceNames.WriteManifest(parsed.GetValue(train)!, order.Skip(validation).OrderBy(s => s.Path, StringComparer.Ordinal));
            if (valPath is not null)
                UtkFaceNames.WriteManifest(valPath, order.Take(validation).OrderBy(s => s.Path, StringComparer.Ordinal));
            output.WriteLine($"{samples.Count - validation:N0} training{(valPath is null ? "" : $" and {validation:N0} validation")} images " +
                $"(age, gender, race){(skipped > 0 ? $"; {skipped} file name(s) not in UTKFace's naming skipped" : "")}. Train with: " +
                $"resnet train --manifest {parsed.GetValue(train)}{(valPath is null ? "" : $" --val-manifest {valPath}")} --heads age=regression,gender=classification");
            return 0;
        });
        return new Command("manifest", "Write CSV manifests for multi-head training") { utkface };
    }
}
