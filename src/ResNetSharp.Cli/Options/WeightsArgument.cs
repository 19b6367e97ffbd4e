using ResNetSharp.Cli.Output;
using ResNetSharp.IO;
using ResNetSharp.Zoo;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// What a --weights value names: a weights file; a run folder, which stands for its best.safetensors; or
/// registered weights, <c>MODEL:TAG</c> / <c>MODEL:DEFAULT</c> / a bare model name (e.g. resnet50:IMAGENET1K_V2),
/// fetched and checked into the cache on first use.
/// </summary>
public static class WeightsArgument
{
    /// <summary>
    /// The full path of the weights file <paramref name="given"/> names; a usage error when there is none. A
    /// file or folder of that name wins over a registry name; download progress goes to <paramref name="progress"/>
    /// (standard error by default, so standard output stays clean).
    /// </summary>
    public static string Resolve(FileSystemInfo given, TextWriter? progress = null)
    {
        var probe = FileProbe.Of(given.FullName);
        if (probe.Kind == FileKind.Directory)
        {
            string best = Path.Combine(given.FullName, "best.safetensors");
            InputFileOrUsage(best, $"--weights {given.FullName} is a folder without best.safetensors; give a weights file.");
            return best;
        }
        if (probe.Kind != FileKind.Missing)
        {
            InputFile.RequireRegular(given.FullName, "--weights file");
            return given.FullName;
        }
        string text = given.ToString();
        var registry = WeightsRegistry.FromEnvironment();
        if (registry.IsWeightsName(text))
            return Pull(registry.Find(text), progress ?? Console.Error);
        throw new FileNotFoundException($"--weights file not found: {given.FullName} (registered weights are named MODEL:TAG; see 'resnet weights list')", given.FullName);
    }

    /// <summary>The cached file of <paramref name="weights"/>, downloaded (with a progress display on <paramref name="output"/>) when missing.</summary>
    public static string Pull(PretrainedWeights weights, TextWriter output)
    {
        var cache = WeightsCache.FromEnvironment();
        if (cache.TryGet(weights) is { } cached)
            return cached;
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("ResNetSharp");
        var downloader = new WeightsDownloader(http, cache, WeightsDownloader.MirrorFromEnvironment());
        output.WriteLine($"downloading {weights.Name} from {downloader.SourceOf(weights)}");
        return ProgressDisplay.Run(output, weights.File, ProgressDisplay.Unit.Bytes,
            progress => downloader.Pull(weights, new Progress(progress)));
    }

    private sealed class Progress(IProgress<(long Done, long? Total)> inner) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => inner.Report((value.Received, value.Total));
    }

    private static void InputFileOrUsage(string path, string missing)
    {
        if (FileProbe.Of(path).Kind == FileKind.Missing)
            throw new UsageException(missing);
        InputFile.RequireRegular(path, "Weights file");
    }
}
