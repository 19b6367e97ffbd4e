using ResNetSharp.IO;

namespace ResNetSharp.Cli.Options;

/// <summary>What a --weights value names: a weights file, or a run folder, which stands for its best.safetensors.</summary>
public static class WeightsArgument
{
    /// <summary>The full path of the weights file <paramref name="given"/> names; a usage error when there is none.</summary>
    public static string Resolve(FileSystemInfo given)
    {
        var probe = FileProbe.Of(given.FullName);
        if (probe.Kind == FileKind.Directory)
        {
            string best = Path.Combine(given.FullName, "best.safetensors");
            InputFileOrUsage(best, $"--weights {given.FullName} is a folder without best.safetensors; give a weights file.");
            return best;
        }
        InputFile.RequireRegular(given.FullName, "--weights file");
        return given.FullName;
    }

    private static void InputFileOrUsage(string path, string missing)
    {
        if (FileProbe.Of(path).Kind == FileKind.Missing)
            throw new UsageException(missing);
        InputFile.RequireRegular(path, "Weights file");
    }
}
