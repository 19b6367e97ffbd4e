using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Zoo;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Zoo;

public class WeightsDownloadTests
{
    private sealed class Setup : IDisposable
    {
        public TemporaryFolder Folder { get; } = new();
        public LoopbackFileServer Server { get; } = new();
        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };
        public WeightsCache Cache { get; }

        public Setup() => Cache = new WeightsCache(Folder.File("home"));

        public WeightsDownloader Downloader(int attempts = 4) =>
            new(Http, Cache, Server.BaseUrl) { Attempts = attempts, StallTimeout = TimeSpan.FromSeconds(20) };

        /// <summary>Small published weights served under their file name, and their registry entry.</summary>
        public (byte[] Content, PretrainedWeights Entry) Serve(int seed, string file)
        {
            var content = TestWeights.TinyFile(seed, Folder.Path);
            var entry = TestWeights.Entry("tiny", "TEST_V1", file, content);
            Server.Put(file, content);
            return (content, entry);
        }

        public string[] CachedFiles() => Directory.Exists(Cache.WeightsFolder) ? Directory.GetFiles(Cache.WeightsFolder) : [];

        public string[] PartialFiles() => Directory.Exists(Cache.DownloadsFolder) ? Directory.GetFiles(Cache.DownloadsFolder) : [];

        public void Dispose()
        {
            Http.Dispose();
            Server.Dispose();
            Folder.Dispose();
        }
    }

    [Fact]
    public void AMirrorServesTheFileByNameAndThePulledWeightsLoadWithTheirCard()
    {
        using var setup = new Setup();
        var content = TestWeights.TinyFile(1, setup.Folder.Path);
        var entry = TestWeights.Entry("tiny", "TEST_V1", "tiny-0123abcd.safetensors", content);
        setup.Server.Put("mirror/tiny-0123abcd.safetensors", content);
        var downloader = new WeightsDownloader(setup.Http, setup.Cache, new Uri(setup.Server.BaseUrl, "mirror"));

        var reports = new List<DownloadProgress>();
        string path = downloader.Pull(entry, new SynchronousProgress<DownloadProgress>(reports.Add));

        Assert.Equal(setup.Cache.PathOf(entry), path);
        Assert.Equal(new Uri(setup.Server.BaseUrl, "mirror/tiny-0123abcd.safetensors"), downloader.SourceOf(entry));
        Assert.Equal(content.Length, reports[^1].Received);
        Assert.Equal(content.Length, reports[^1].Total);
        Assert.Empty(setup.PartialFiles());
        var metadata = WeightFile.ReadMetadata(path);
        Assert.Equal("tiny:TEST_V1", metadata[WeightsCache.NameKey]);
        Assert.Equal(TestWeights.Digest(content), metadata[WeightsCache.SourceSha256Key]);
        var card = ModelCard.FromMetadata(metadata, path)!;
        Assert.Equal(TestWeights.Classes, card.ClassNames);
        Assert.Equal(TestWeights.Preprocessing.ToJson(), card.Preprocessing.ToJson());
        Assert.Equal(WeightsCheckStatus.Ok, setup.Cache.Verify(entry).Status);

        // The stored tensors are the published ones: the same logits.
        string published = setup.Folder.File("published.safetensors");
        File.WriteAllBytes(published, content);
        using var original = WeightsModel.Load(published);
        using var pulled = WeightsModel.Load(path);
        original.eval();
        pulled.eval();
        using var input = randn(2, 3, 16, 16);
        using var expected = original.call(input);
        using var actual = pulled.call(input);
        var (a, b) = (StateDictOrder.Entries(original).ToList(), StateDictOrder.Entries(pulled).ToList());
        Assert.Equal(a.Select(e => e.Name), b.Select(e => e.Name));
        Assert.All(a.Zip(b), p => Assert.True(p.First.Tensor.eq(p.Second.Tensor).all().item<bool>(), p.First.Name));
        Assert.True(expected.eq(actual).all().item<bool>());

        // A second pull finds it in the cache and asks the server nothing.
        int requests = setup.Server.Requests.Count;
        Assert.Equal(path, downloader.Pull(entry));
        Assert.Equal(requests, setup.Server.Requests.Count);
    }

    [Fact]
    public void ATorchvisionStylePthIsStoredAsSafetensorsThatGiveItsLogits()
    {
        using var setup = new Setup();
        var pth = TestWeights.CatalogPth("resnet18", 21, setup.Folder.Path);
        var entry = TestWeights.Entry("resnet18", "TEST_V1", "resnet18-0badc0de.pth", pth, fullDigest: false);
        setup.Server.Put(entry.File, pth);

        string path = setup.Downloader().Pull(entry);

        Assert.EndsWith(".safetensors", path);
        var metadata = WeightFile.ReadMetadata(path);
        Assert.Equal("resnet18", metadata[WeightsModel.NameKey]);
        Assert.Equal(TestWeights.Digest(pth), metadata[WeightsCache.SourceSha256Key]);
        string original = setup.Folder.File("original.pth");
        File.WriteAllBytes(original, pth);
        using var fromPth = ModelCatalog.Create("resnet18", numClasses: TestWeights.Classes.Length);
        WeightLoader.LoadFile(fromPth, original);
        using var pulled = WeightsModel.Load(path);
        fromPth.eval();
        pulled.eval();
        using var input = randn(1, 3, 32, 32);
        using var expected = fromPth.call(input);
        using var actual = pulled.call(input);
        Assert.True(expected.eq(actual).all().item<bool>());
        Assert.Contains("registry knows its prefix", setup.Cache.Verify(entry).Detail);
    }

    [Fact]
    public void ATransferCutShortResumesFromTheLastByteWithinOneCall()
    {
        using var setup = new Setup();
        var (content, entry) = setup.Serve(2, "tiny-resume.safetensors");
        setup.Server.CutNext(responses: 2, bytes: content.Length / 3);

        string path = setup.Downloader().Pull(entry);

        Assert.Equal(WeightsCheckStatus.Ok, setup.Cache.Verify(entry).Status);
        Assert.Equal([(entry.File, null), (entry.File, content.Length / 3), (entry.File, 2L * (content.Length / 3))],
            setup.Server.Requests.Select(r => (r.Path, r.From)).ToList());
        Assert.Equal(TestWeights.Digest(content), WeightFile.ReadMetadata(path)[WeightsCache.SourceSha256Key]);
        Assert.Empty(setup.PartialFiles());
    }

    [Fact]
    public void AnInterruptedPullStoresNothingAndTheNextPullResumesIt()
    {
        using var setup = new Setup();
        var (content, entry) = setup.Serve(3, "tiny-later.safetensors");
        setup.Server.CutNext(responses: 1, bytes: content.Length / 2);

        var failure = Assert.Throws<IOException>(() => setup.Downloader(attempts: 1).Pull(entry));
        Assert.Contains($"stopped at {content.Length / 2:N0} of {content.Length:N0} bytes", failure.Message);
        Assert.Contains("nothing was stored", failure.Message);
        Assert.Contains("Run the same command again to resume", failure.Message);
        Assert.Empty(setup.CachedFiles());
        Assert.Equal(content.Length / 2, new FileInfo(Assert.Single(setup.PartialFiles())).Length);

        setup.Downloader(attempts: 1).Pull(entry);
        Assert.Equal(content.Length / 2, setup.Server.Requests[^1].From);
        Assert.Equal(WeightsCheckStatus.Ok, setup.Cache.Verify(entry).Status);
        Assert.Empty(setup.PartialFiles());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AFileWhoseHashDiffersIsRefusedAndLeavesTheCacheEmpty(bool fullDigest)
    {
        using var setup = new Setup();
        var expected = TestWeights.TinyFile(4, setup.Folder.Path);
        var served = TestWeights.TinyFile(5, setup.Folder.Path);
        Assert.Equal(expected.Length, served.Length);
        var entry = TestWeights.Entry("tiny", "TEST_V1", "tiny-tampered.safetensors", expected, fullDigest);
        setup.Server.Put(entry.File, served);

        var failure = Assert.Throws<InvalidDataException>(() => setup.Downloader().Pull(entry));

        Assert.Contains($"SHA-256 is {TestWeights.Digest(served)}, not tiny:TEST_V1's {entry.Sha256}", failure.Message);
        Assert.Contains("nothing was stored", failure.Message);
        Assert.Empty(setup.CachedFiles());
        Assert.Empty(setup.PartialFiles());
        Assert.Equal(WeightsCheckStatus.Missing, setup.Cache.Verify(entry).Status);
    }

    [Fact]
    public void AServerSendingMoreThanThePublishedSizeIsCutOffAndNothingIsStored()
    {
        using var setup = new Setup();
        var content = TestWeights.TinyFile(6, setup.Folder.Path);
        var entry = TestWeights.Entry("tiny", "TEST_V1", "tiny-long.safetensors", content) with { Bytes = content.Length - 100 };
        setup.Server.Put(entry.File, content);

        var failure = Assert.Throws<InvalidDataException>(() => setup.Downloader().Pull(entry));

        Assert.Contains("announces", failure.Message);
        Assert.Empty(setup.CachedFiles());
        Assert.Empty(setup.PartialFiles());
    }

    [Fact]
    public void AMissingFileIsReportedWithTheStatusAndNotRetried()
    {
        using var setup = new Setup();
        var entry = TestWeights.Entry("tiny", "TEST_V1", "nowhere.safetensors", [1, 2, 3]);

        var failure = Assert.ThrowsAny<IOException>(() => setup.Downloader().Pull(entry));

        Assert.Contains("HTTP 404", failure.Message);
        Assert.Single(setup.Server.Requests);
        Assert.Empty(setup.CachedFiles());
        Assert.Empty(setup.PartialFiles());
    }

    [Fact]
    public void AStoredFileThatChangesFailsVerification()
    {
        using var setup = new Setup();
        var (content, entry) = setup.Serve(7, "tiny-rot.safetensors");
        string path = setup.Downloader().Pull(entry);

        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length - 10;
            int b = file.ReadByte();
            file.Position = file.Length - 10;
            file.WriteByte((byte)(b ^ 0x40));
        }

        var check = setup.Cache.Verify(entry);
        Assert.Equal(WeightsCheckStatus.Corrupt, check.Status);
        Assert.Contains("the file changed", check.Detail);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
