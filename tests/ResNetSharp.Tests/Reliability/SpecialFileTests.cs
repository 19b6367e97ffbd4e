using ResNetSharp.Common;
using ResNetSharp.Data.Images;
using ResNetSharp.Interop;
using ResNetSharp.IO;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;
using ResNetSharp.Tests.Training;
using ResNetSharp.Zoo;
using static ResNetSharp.Tests.Reliability.HostileFiles;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Paths that are not regular files: FIFOs (which block a reader forever), devices, folders and link loops.
/// Readers refuse them by name and writers never replace them.
/// </summary>
[Trait("Category", "Reliability")]
public class SpecialFileTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Runs the CLI in-process; if it blocks on <paramref name="fifo"/>, a writer is connected to end the wait and the test fails.</summary>
    private static (int Code, string Output, string Error) RunOrUnblock(string fifo, params string[] args)
    {
        var run = Task.Run(() => SummaryCommandTests.Run(args));
        if (run.Wait(Patience))
            return run.Result;
        using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
        run.Wait(Patience);
        Assert.Fail($"resnet {string.Join(" ", args)} blocked on the FIFO {fifo}");
        return default;
    }

    private static void AssertRefused((int Code, string Output, string Error) run, string command, string tried, params string[] expected) =>
        UsageErrors.AssertOneLine(run, "special files", command, tried, expected);

    private static string TinyWeights(TemporaryFolder folder) =>
        ModelWeights(folder.File("w.safetensors"), TinySpec,
            WeightsModel.Describe(new ModelCard("tiny", ["a", "b", "c"], 3, Imaging.ImagePreprocessing.ForCrop(8)).ToMetadata(), "tiny", TinySpec));

    [Fact]
    public void AFifoGivenAsWeightsOnnxConfigSpecOrImageIsRefusedWithoutBlocking()
    {
        using var folder = new TemporaryFolder();
        string weights = TinyWeights(folder);
        string image = TestImages.Write(folder.File("a.png"), 12, 10, seed: 1);
        var cases = new (string Command, string Fifo, string[] Args)[]
        {
            ("predict", "weights.safetensors", ["predict", "--model", "resnet18", "--weights", "FIFO", image]),
            ("predict", "model.onnx", ["predict", "--onnx", "FIFO", image]),
            ("train", "config.json", ["train", "--config", "FIFO", "-o", folder.File("run")]),
            ("summary", "spec.json", ["summary", "--spec", "FIFO"]),
            ("predict", "image.png", ["predict", "--weights", weights, "FIFO"]),
        };
        foreach (var (command, name, args) in cases)
        {
            string fifo = Fifo(folder.File(name));
            var run = RunOrUnblock(fifo, args.Select(a => a == "FIFO" ? fifo : a).ToArray());
            AssertRefused(run, command, $"a FIFO as {name}", name, "named pipe (FIFO), not a regular file");
        }
    }

    /// <summary>The readers added with manifests, the weights registry and the image index open only regular files too.</summary>
    [Fact]
    public void AFifoAsAManifestAnIndexManifestOrTheRegistryAndDevZeroAsAManifestAreRefusedWithoutBlocking()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("tiny.json"), """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 2}""");
        TestImages.Write(folder.File("a.png"), 12, 10, seed: 1);
        TestImages.Write(folder.File("b.png"), 12, 10, seed: 2);
        File.WriteAllLines(folder.File("train.csv"), ["path,label", "a.png,cat", "b.png,dog"]);
        string[] Train(string manifest, string? validation = null) =>
        [
            "train", "--manifest", manifest, .. validation is null ? Array.Empty<string>() : ["--val-manifest", validation],
            "--heads", "label=classification", "--model", folder.File("tiny.json"), "--image-size", "8", "--epochs", "1",
            "--device", "cpu", "-o", folder.File("run-" + Guid.NewGuid().ToString("N")), "--quiet",
        ];
        string index = Directory.CreateDirectory(folder.File("index")).FullName;
        var cases = new (string Command, string Fifo, Func<string, string[]> Args)[]
        {
            ("train", "manifest.csv", fifo => Train(fifo, folder.File("train.csv"))),
            ("train", "val.csv", fifo => Train(folder.File("train.csv"), fifo)),
            ("search", Path.Combine("index", "index.json"), _ => ["search", "--index", index, folder.File("a.png")]),
        };
        foreach (var (command, name, args) in cases)
        {
            string fifo = Fifo(folder.File(name));
            var run = RunOrUnblock(fifo, args(fifo));
            AssertRefused(run, command, $"a FIFO as {name}", Path.GetFileName(name), "named pipe (FIFO), not a regular file");
        }

        string registry = Fifo(folder.File("registry.json"));
        using (new EnvironmentVariable(WeightsRegistry.ExtraRegistriesVariable, registry))
            AssertRefused(RunOrUnblock(registry, "weights", "list"), "weights", $"a FIFO as {WeightsRegistry.ExtraRegistriesVariable}",
                "registry.json", "named pipe (FIFO), not a regular file");

        var endless = Task.Run(() => SummaryCommandTests.Run(Train("/dev/zero", folder.File("train.csv"))));
        Assert.True(endless.Wait(Patience), "train --manifest /dev/zero did not end");
        AssertRefused(endless.Result, "train", "--manifest /dev/zero", "/dev/zero", "character device");
    }

    /// <summary>A run folder's logs are read back by a resume (epochs.csv), by the plots and MODEL_CARD.md, and by resnet curves.</summary>
    [Fact]
    public void AFifoAsARunFoldersEpochTableOrMetricsLogIsRefusedWithoutBlocking()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("run");
        string[] train = ["train", "--model", run.ModelFile, "--data-dir", run.DataDir, "--epochs", "1", "--batch-size", "32", "--device", "cpu",
            "-o", folder, "--quiet"];
        var (code, _, error) = SummaryCommandTests.Run(train);
        Assert.True(code == 0, error);

        string table = Path.Combine(folder, "epochs.csv");
        File.Delete(table);
        Fifo(table);
        AssertRefused(RunOrUnblock(table, [.. train, "--resume"]),
            "train", "a FIFO as the resumed run's epochs.csv", "epochs.csv", "named pipe (FIFO), not a regular file");

        string log = Path.Combine(folder, "metrics.jsonl");
        File.Delete(log);
        Fifo(log);
        AssertRefused(RunOrUnblock(log, "curves", folder, "-o", run.RunFolder("curves.png")),
            "curves", "a FIFO as the run's metrics.jsonl", "metrics.jsonl", "named pipe (FIFO), not a regular file");
    }

    [Fact]
    public void ACharacterDeviceAsASpecAndALinkLoopAsWeightsAreRefused()
    {
        using var folder = new TemporaryFolder();
        AssertRefused(SummaryCommandTests.Run("summary", "--spec", "/dev/zero"), "summary", "--spec /dev/zero", "/dev/zero", "character device");
        string loop = folder.File("loop.pth");
        File.CreateSymbolicLink(loop, loop);
        AssertRefused(SummaryCommandTests.Run("predict", "--model", "resnet18", "--weights", loop, "a.png"), "predict", "--weights naming a link to itself",
            "loop.pth", "loop of symbolic links");
    }

    [Fact]
    public void TheAtomicWriterNeverReplacesAFolderAFifoOrADevice()
    {
        using var folder = new TemporaryFolder();
        var targets = new List<(string Path, FileKind Kind)>
        {
            (Fifo(folder.File("pipe")), FileKind.Fifo),
            (Directory.CreateDirectory(folder.File("dir")).FullName, FileKind.Directory),
        };
        if (CharacterDevice(folder.File("device")) is { } device)
            targets.Add((device, FileKind.CharacterDevice)); // needs root (mknod), as in CI
        foreach (var (path, kind) in targets)
        {
            var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream => stream.WriteByte(1)));
            Assert.Contains(path, error.Message);
            Assert.Contains(FileProbe.Describe(kind), error.Message);
            Assert.Equal(kind, FileProbe.Of(path).Kind);
            ReliabilityLog.Record("special files", "atomic writer", $"writing over a {kind}", 1, $"ok: refused, \"{error.Message}\"; left as it was");
        }
        Assert.Empty(Directory.GetFiles(folder.Path, AtomicFile.TemporaryPrefix + "*"));
        AtomicFile.Write(folder.File("plain"), stream => stream.WriteByte(1)); // a regular file is still replaced
        AtomicFile.Write(folder.File("plain"), stream => stream.WriteByte(2));
        Assert.Equal([2], File.ReadAllBytes(folder.File("plain")));
    }

    [Fact]
    public void FolderScansFollowALinkLoopOnceAndLeaveFifosOut()
    {
        using var folder = new TemporaryFolder();
        string images = Directory.CreateDirectory(folder.File("images")).FullName;
        TestImages.Write(Path.Combine(images, "a.png"), 12, 10, seed: 1);
        TestImages.Write(Path.Combine(images, "sub", "b.png"), 12, 10, seed: 2);
        Directory.CreateSymbolicLink(Path.Combine(images, "sub", "up"), images); // a loop: images/sub/up -> images
        Directory.CreateSymbolicLink(Path.Combine(images, "again"), images);      // and a second way in
        Fifo(Path.Combine(images, "stuck.png"));

        var scan = Task.Run(() => ImageFolderIndex.ListImages(images)); // following every link, the paths would multiply without end
        Assert.True(scan.Wait(Patience), "the scan did not end");
        Assert.Equal([Path.Combine(images, "a.png"), Path.Combine(images, "sub", "b.png")], scan.Result);

        string weights = TinyWeights(folder);
        var run = RunOrUnblock(Path.Combine(images, "stuck.png"), "embed", "--weights", weights, "-o", folder.File("f.npy"), images);
        Assert.True(run.Code == 0, run.Error + run.Output);
        Assert.Equal(new long[] { 2, 8 }, NpyFile.ReadFloat32(folder.File("f.npy")).Shape);
        ReliabilityLog.Record("special files", "embed", "a folder with two link loops and a FIFO named stuck.png", 1,
            "ok: each real folder scanned once, the FIFO left out, 2 images embedded");
    }

    [Fact]
    public void AnEmbedWhoseEveryImageIsSkippedFailsAndWritesNothing()
    {
        using var folder = new TemporaryFolder();
        string images = Directory.CreateDirectory(folder.File("broken")).FullName;
        File.WriteAllText(Path.Combine(images, "a.png"), "not a png");
        File.WriteAllText(Path.Combine(images, "b.jpg"), "not a jpeg");
        var run = SummaryCommandTests.Run("embed", "--weights", TinyWeights(folder), "--skip-bad-images", "-o", folder.File("f.npy"), images);
        UsageErrors.AssertOneLine(run, "bad images", "embed", "--skip-bad-images on a folder where no image decodes", "none of the 2 images decoded", "a.png");
        Assert.False(File.Exists(folder.File("f.npy")));
    }
}
