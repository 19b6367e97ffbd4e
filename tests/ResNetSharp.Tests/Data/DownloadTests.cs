using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using ResNetSharp.Data;
using ResNetSharp.Data.Download;

namespace ResNetSharp.Tests.Data;

public class DownloadTests
{
    private sealed class FakeServer(byte[] body) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        }
    }

    private static byte[] TarGz(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            write(tar);
        return buffer.ToArray();
    }

    private static void AddFile(TarWriter tar, string name, byte[] content) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });

    [Fact]
    public void AVerifiedArchiveIsExtractedAndTheDatasetLoads()
    {
        using var source = new TemporaryFolder();
        CifarTests.WriteCifar10(source.Path, perFile: 2);
        var archive = TarGz(tar =>
        {
            foreach (var file in Directory.GetFiles(Path.Combine(source.Path, "cifar-10-batches-bin")))
                AddFile(tar, "cifar-10-batches-bin/" + Path.GetFileName(file), File.ReadAllBytes(file));
        });
        using var data = new TemporaryFolder();
        var server = new FakeServer(archive);
        string md5 = Convert.ToHexStringLower(MD5.HashData(archive));
        var downloader = new DatasetDownloader(new HttpClient(server)) { ArchiveMd5 = _ => md5 };
        string archivePath = Path.Combine(data.Path, "cifar-10", "cifar-10-binary.tar.gz");
        downloader.Fetch(new Uri("http://example.invalid/cifar-10-binary.tar.gz"), archivePath, md5);
        Assert.Equal(archive, File.ReadAllBytes(archivePath));

        string folder = downloader.Ensure("cifar-10", data.Path);
        using var test = DatasetCatalog.Load("cifar-10", DatasetSplit.Test, data.Path);
        Assert.Equal(2, test.Count);
        Assert.Equal(Path.Combine(data.Path, "cifar-10"), folder);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public void AWrongChecksumLeavesNoFileBehind()
    {
        using var data = new TemporaryFolder();
        var downloader = new DatasetDownloader(new HttpClient(new FakeServer([1, 2, 3])));
        string target = data.File("train-images-idx3-ubyte.gz");
        var error = Assert.Throws<InvalidDataException>(() =>
            downloader.Fetch(new Uri("http://example.invalid/train-images-idx3-ubyte.gz"), target, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"));
        Assert.Contains(Convert.ToHexStringLower(MD5.HashData(new byte[] { 1, 2, 3 })), error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(data.Path));
    }

    [Theory]
    [InlineData("../escape.bin", "'..'")]
    [InlineData("/etc/escape.bin", "absolute")]
    [InlineData("ok/../../escape.bin", "'..'")]
    public void MembersThatLeaveTheTargetAreRefused(string member, string reason)
    {
        using var data = new TemporaryFolder();
        string archive = data.File("evil.tar.gz");
        File.WriteAllBytes(archive, TarGz(tar =>
        {
            AddFile(tar, "fine.txt", [1]);
            AddFile(tar, member, [2]);
        }));
        var error = Assert.Throws<ArchiveFormatException>(() => SafeArchiveExtractor.ExtractTarGz(archive, data.File("out"), 1 << 20));
        Assert.Contains(member, error.Message);
        Assert.Contains(reason, error.Message);
        Assert.False(File.Exists(data.File("escape.bin")));
        Assert.False(Directory.Exists(data.File("out")));
    }

    [Fact]
    public void LinksAndOversizedArchivesAreRefused()
    {
        using var data = new TemporaryFolder();
        string links = data.File("links.tar.gz");
        File.WriteAllBytes(links, TarGz(tar =>
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "passwd") { LinkName = "/etc/passwd" })));
        Assert.Contains("link", Assert.Throws<ArchiveFormatException>(() => SafeArchiveExtractor.ExtractTarGz(links, data.File("a"), 1 << 20)).Message);

        string big = data.File("big.tar.gz");
        File.WriteAllBytes(big, TarGz(tar => AddFile(tar, "zeros.bin", new byte[1 << 20])));
        var error = Assert.Throws<ArchiveFormatException>(() => SafeArchiveExtractor.ExtractTarGz(big, data.File("b"), 1000));
        Assert.Contains("zeros.bin", error.Message);
        Assert.False(Directory.Exists(data.File("b")));
    }

    [Fact]
    public void ExtractionNeverDeletesAFolderThatIsAlreadyThere()
    {
        using var data = new TemporaryFolder();
        string mine = data.File("target/cifar-10-batches-bin/my-notes.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(mine)!);
        File.WriteAllText(mine, "keep me");
        string archive = data.File("cifar.tar.gz");
        File.WriteAllBytes(archive, TarGz(tar => AddFile(tar, "cifar-10-batches-bin/data_batch_1.bin", [1, 2, 3])));

        var error = Assert.Throws<IOException>(() => SafeArchiveExtractor.ExtractTarGz(archive, data.File("target"), 1 << 20));
        Assert.Contains("cifar-10-batches-bin", error.Message);
        Assert.Contains("already exists", error.Message);
        Assert.Equal("keep me", File.ReadAllText(mine));
        Assert.False(File.Exists(data.File("target/cifar-10-batches-bin/data_batch_1.bin")));
        Assert.Empty(Directory.GetDirectories(data.File("target"), ".*"));
    }

    [Fact]
    public void AnArchiveAlreadyInPlaceIsCheckedAgainstItsMd5BeforeExtraction()
    {
        using var data = new TemporaryFolder();
        string archive = Path.Combine(data.Path, "cifar-10", "cifar-10-binary.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(archive)!);
        File.WriteAllBytes(archive, TarGz(tar => AddFile(tar, "cifar-10-batches-bin/data_batch_1.bin", [1, 2, 3])));
        var server = new FakeServer([]);

        var error = Assert.Throws<InvalidDataException>(() => new DatasetDownloader(new HttpClient(server)).Ensure("cifar-10", data.Path));
        Assert.Contains(archive, error.Message);
        Assert.Contains("differs from the published c32a1d4ab5d03f1284b67883e8d87530", error.Message);
        Assert.True(File.Exists(archive)); // the user's file is left for them to look at
        Assert.False(Directory.Exists(Path.Combine(data.Path, "cifar-10", "cifar-10-batches-bin")));
        Assert.Equal(0, server.Requests);
    }
}
