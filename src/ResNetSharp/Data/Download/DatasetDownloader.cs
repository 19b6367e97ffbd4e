using System.Security.Cryptography;
using ResNetSharp.Common;

namespace ResNetSharp.Data.Download;

/// <summary>
/// Fetches the official files of a named dataset into the per-user cache (or --data-dir), checks each
/// against its published MD5, and extracts archives. Every file is written under a temporary name
/// and renamed when verified, so an interrupted download never looks complete. An archive already in
/// place (put there by hand, or left by an earlier run) is checked against the same MD5 before it is extracted.
/// </summary>
public sealed class DatasetDownloader(HttpClient http, TextWriter? log = null)
{
    /// <summary>The MD5 an archive must have: the published one (tests substitute their own archives).</summary>
    internal Func<Cifar, string> ArchiveMd5 { get; init; } = cifar => cifar.ArchiveMd5;

    private const long MaxCifarBytes = 1L << 30;

    private static readonly Dictionary<string, (string Url, string Md5)[]> MnistFiles = new(StringComparer.Ordinal)
    {
        ["fashion-mnist"] =
        [
            ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
            ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
            ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        ],
        ["mnist"] =
        [
            ("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            ("https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            ("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
            ("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ],
    };

    private static readonly Dictionary<string, Cifar> CifarSets = new(StringComparer.Ordinal)
    {
        ["cifar-10"] = Cifar.Cifar10,
        ["cifar-100"] = Cifar.Cifar100,
    };

    /// <summary>Downloads <paramref name="name"/> into <paramref name="dataDir"/>/NAME (or the cache) unless it is there; returns the folder.</summary>
    public string Ensure(string name, string? dataDir)
    {
        string folder = Path.Combine(dataDir ?? DatasetLocator.CacheRoot, name);
        Directory.CreateDirectory(folder);
        AtomicFile.CleanLeftovers(folder);
        if (MnistFiles.TryGetValue(name, out var files))
        {
            foreach (var (url, md5) in files)
            {
                string path = Path.Combine(folder, Path.GetFileName(new Uri(url).AbsolutePath));
                if (!File.Exists(path))
                    Fetch(new Uri(url), path, md5);
            }
            return folder;
        }
        if (CifarSets.TryGetValue(name, out var cifar))
        {
            if (cifar.Resolve(folder, DatasetSplit.Train) is not null && cifar.Resolve(folder, DatasetSplit.Test) is not null)
                return folder;
            string archive = Path.Combine(folder, Path.GetFileName(new Uri(cifar.ArchiveUrl).AbsolutePath));
            string md5 = ArchiveMd5(cifar);
            if (!File.Exists(archive))
                Fetch(new Uri(cifar.ArchiveUrl), archive, md5);
            else
                Verify(archive, md5);
            log?.WriteLine($"extracting {archive}");
            SafeArchiveExtractor.ExtractTarGz(archive, folder, MaxCifarBytes);
            return folder;
        }
        throw new KeyNotFoundException($"--download knows {string.Join(", ", MnistFiles.Keys.Concat(CifarSets.Keys))}; not '{name}'.");
    }

    /// <summary>Checks a file already in place against its published MD5; a mismatch is an error that leaves the file alone.</summary>
    public static void Verify(string path, string md5)
    {
        using var stream = IO.InputFile.OpenRead(path, "Dataset file", 1 << 20);
        string actual = Convert.ToHexStringLower(MD5.HashData(stream));
        if (!string.Equals(actual, md5, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"{path}: MD5 {actual} differs from the published {md5}; the file is damaged or not the official one. Delete it to download it again.");
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="path"/>, verified against <paramref name="md5"/> before it gets its name.</summary>
    public void Fetch(Uri url, string path, string md5)
    {
        log?.WriteLine($"downloading {url}");
        string actual = "";
        try
        {
            AtomicFile.Write(path, stream =>
            {
                using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                using var body = response.Content.ReadAsStream();
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = body.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    stream.Write(buffer, 0, read);
                }
                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(actual, md5, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"{url}: MD5 {actual} differs from the published {md5}; the download was discarded.");
            });
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"Could not download {url} ({e.Message}). Without network, put the file at {path} yourself.", e);
        }
    }
}
