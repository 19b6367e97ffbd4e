using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ResNetSharp.Zoo;

/// <summary>Bytes of one download so far, and its size when the server or the registry says it.</summary>
/// <param name="Received">Bytes on disk, resumed ones included.</param>
/// <param name="Total">The file's size, or null when unknown.</param>
public readonly record struct DownloadProgress(long Received, long? Total);

/// <summary>
/// Fetches registered weights into a <see cref="WeightsCache"/>: from the publisher's URL, or from a mirror
/// (<c>$RESNETSHARP_WEIGHTS_MIRROR</c>: a base URL that replaces the origin, for air-gapped sites). A dropped
/// transfer resumes where it stopped (HTTP Range), within one call and across calls. The file's SHA-256 is
/// checked before anything reads it; a mismatch deletes the download and stores nothing.
/// </summary>
public sealed class WeightsDownloader(HttpClient http, WeightsCache cache, Uri? mirror = null)
{
    /// <summary>Environment variable: a base URL serving the registry's files by their file names.</summary>
    public const string MirrorVariable = "RESNETSHARP_WEIGHTS_MIRROR";

    /// <summary>Attempts per call before a failed transfer is reported (each resumes the last).</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>How long a read may wait for data before the attempt counts as failed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A downloader for the cache and mirror the environment names.</summary>
    public static WeightsDownloader FromEnvironment(HttpClient http) =>
        new(http, WeightsCache.FromEnvironment(), MirrorFromEnvironment());

    /// <summary>The mirror <c>$RESNETSHARP_WEIGHTS_MIRROR</c> names, or null; a value that is not an http(s) URL is an error.</summary>
    public static Uri? MirrorFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(MirrorVariable);
        if (string.IsNullOrWhiteSpace(value))
            return null;
        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"{MirrorVariable}='{value}' is not an http(s) URL.");
    }

    /// <summary>Where <paramref name="weights"/> are fetched from: the mirror's base URL plus the file name, or the publisher's URL.</summary>
    public Uri SourceOf(PretrainedWeights weights) =>
        mirror is null ? weights.Url : new Uri(mirror.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(weights.File));

    /// <summary>
    /// The stored file of <paramref name="weights"/>, fetching, checking and storing it first unless it is
    /// already there. Failures say what happened and that nothing was stored: an <see cref="IOException"/>
    /// for a transfer that could not finish (run again to resume), an <see cref="InvalidDataException"/>
    /// for a file whose hash or size is wrong (its bytes are deleted).
    /// </summary>
    public string Pull(PretrainedWeights weights, IProgress<DownloadProgress>? progress = null, CancellationToken cancel = default)
    {
        if (cache.TryGet(weights) is { } stored)
            return stored;
        Directory.CreateDirectory(cache.DownloadsFolder);
        string partial = Path.Combine(cache.DownloadsFolder, weights.File + ".part");
        var source = SourceOf(weights);
        string sha256;
        using (var file = OpenExclusive(partial, weights))
        {
            try
            {
                Transfer(source, file, weights, progress, cancel);
            }
            catch (Exception e) when (e is InvalidDataException || file.Length == 0)
            {
                // Wrong bytes are never resumed from, and an empty file has nothing to resume.
                file.Close();
                File.Delete(partial);
                throw;
            }
            file.Position = 0;
            sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
            if (!weights.Matches(sha256))
            {
                file.Close();
                File.Delete(partial);
                throw new InvalidDataException(
                    $"{source}: the file's SHA-256 is {sha256}, not {weights.Name}'s {weights.Sha256}; the download was deleted and nothing was stored.");
            }
        }
        try
        {
            return cache.Store(weights, partial, sha256);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private void Transfer(Uri source, FileStream file, PretrainedWeights weights, IProgress<DownloadProgress>? progress, CancellationToken cancel)
    {
        Exception? last = null;
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                if (TryOnce(source, file, weights, progress, cancel))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException && e is not RefusedByServer
                                      || e is OperationCanceledException && !cancel.IsCancellationRequested)
            {
                last = e;
            }
            if (attempt < Attempts)
                Thread.Sleep(TimeSpan.FromMilliseconds(250 * attempt));
        }
        throw new IOException(
            $"{source}: the download stopped at {file.Length:N0}{(weights.Bytes is { } total ? $" of {total:N0}" : "")} bytes after {Attempts} attempts " +
            $"({last?.Message ?? "no data"}); nothing was stored. Run the same command again to resume from there" +
            (mirror is null ? $", or set {MirrorVariable} to a mirror serving {weights.File}." : "."), last);
    }

    /// <summary>One request from the end of what is on disk; true when the file is complete.</summary>
    private bool TryOnce(Uri source, FileStream file, PretrainedWeights weights, IProgress<DownloadProgress>? progress, CancellationToken cancel)
    {
        long have = file.Length;
        if (weights.Bytes is { } expected && have >= expected)
        {
            if (have == expected)
                return true;
            file.SetLength(have = 0); // longer than the published file: not a prefix of it
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, source);
        if (have > 0)
            request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = http.Send(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            return true; // the server has no bytes past ours: what is on disk is the whole file, and the hash decides
        if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From != have)
            throw new IOException($"the server resumed at byte {response.Content.Headers.ContentRange?.From}, not {have}");
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
        {
            var failure = new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            // A 4xx other than a timeout or throttling will not get better by retrying.
            if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                throw new RefusedByServer($"{source}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}; nothing was stored.", failure);
            throw failure;
        }
        if (response.StatusCode == HttpStatusCode.OK)
        {
            file.SetLength(0); // the server sent the whole file, not the rest
            have = 0;
        }
        file.Position = have;
        long? total = response.Content.Headers.ContentLength is { } length ? have + length : weights.Bytes;
        if (weights.Bytes is { } published && total is { } announced && announced != published)
            throw new InvalidDataException($"{source}: the server announces {announced:N0} bytes; {weights.Name} has {published:N0}. Nothing was stored.");
        using var body = response.Content.ReadAsStream(cancel);
        var buffer = new byte[1 << 16];
        progress?.Report(new DownloadProgress(have, total));
        while (true)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            stall.CancelAfter(StallTimeout);
            int read = body.ReadAsync(buffer, stall.Token).AsTask().GetAwaiter().GetResult();
            if (read == 0)
                break;
            file.Write(buffer, 0, read);
            have += read;
            if (weights.Bytes is { } limit && have > limit)
                throw new InvalidDataException($"{source}: more than {limit:N0} bytes, the size of {weights.Name}; the download was deleted and nothing was stored.");
            progress?.Report(new DownloadProgress(have, total));
        }
        file.Flush(flushToDisk: true);
        if (total is { } whole && have < whole)
            throw new IOException($"the connection closed after {have:N0} of {whole:N0} bytes");
        return true;
    }

    private static FileStream OpenExclusive(string partial, PretrainedWeights weights)
    {
        try
        {
            return new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (IOException e) when (File.Exists(partial))
        {
            throw new IOException($"{weights.Name} is being downloaded by another process ({partial} is in use); wait for it to finish.", e);
        }
    }

    /// <summary>A request the server answered with a client error (404, 403, ...): retrying will not help.</summary>
    private sealed class RefusedByServer(string message, Exception inner) : IOException(message, inner);
}
