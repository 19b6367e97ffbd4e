namespace ResNetSharp.Cli.Options;

/// <summary>What a --weights value names: a weights file, or a run folder, which stands for its best.safetensors.</summary>
public static class WeightsArgument
{
    /// <summary>The full path of the weights file <paramref name="given"/> names; a usage error when there is none.</summary>
    public static string Resolve(FileSystemInfo given)
    {
        if (File.Exists(given.FullName))
            return given.FullName;
        if (Directory.Exists(given.FullName))
        {
            string best = Path.Combine(given.FullName, "best.safetensors");
            return File.Exists(best)
                ? best
                : throw new UsageException($"--weights {given.FullName} is a folder without best.safetensors; give a weights file.");
        }
        throw new FileNotFoundException($"--weights file not found: {given.FullName}", given.FullName);
    }
}
