using ResNetSharp.Cli;
using ResNetSharp.Common;
using ResNetSharp.Interop;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Files that cannot be written. Tests may run as root, where permissions do not stop a write, so the
/// failures are made with something in the way: a folder where a file must go, or a file where a folder must go.
/// </summary>
[Trait("Category", "Reliability")]
public class WriteFailureTests
{
    [Fact]
    public void ACheckpointThatCannotBeWrittenNamesThePathAndKeepsThePreviousOne()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("blocked");
        var config = run.Config with { Run = run.Config.Run with { CheckpointEvery = 2 }, Schedule = run.Config.Schedule with { Epochs = 1 } };
        using (var stop = new CancellationTokenSource())
            new Trainer(config, folder, CPU, run.DataDir, new StopAtStep(2, stop)).Run(false, false, stop.Token);
        var before = File.ReadAllBytes(Path.Combine(folder, "checkpoint.safetensors"));

        // last.safetensors becomes a folder: the rename at the end of its atomic write must fail.
        File.Delete(Path.Combine(folder, "last.safetensors"));
        Directory.CreateDirectory(Path.Combine(folder, "last.safetensors"));
        var error = Assert.Throws<IOException>(() =>
            new Trainer(config, folder, CPU, run.DataDir, new TrainingObserver()).Run(true, false, CancellationToken.None));
        Assert.Contains(Path.Combine(folder, "last.safetensors"), error.Message);
        Assert.StartsWith("Could not write", error.Message);

        var loaded = new CheckpointStore(folder).LoadLatest(_ => { })!;
        Assert.True(loaded.Progress.GlobalStep >= 2);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(folder, "checkpoint.previous.safetensors")));
        Assert.Empty(Directory.GetFiles(folder, AtomicFile.TemporaryPrefix + "*"));
        ReliabilityLog.Record("write failures", "checkpoint", "last.safetensors blocked by a folder during a resumed run", 1,
            "ok: IOException naming the path; previous checkpoint byte-identical; no temporary files left");
    }

    /// <summary>
    /// A run folder that cannot be made or written says what failed, not that another run holds it. Run as root
    /// (where a read-only folder is still writable) the failures come from a file where the folder must be.
    /// </summary>
    [Fact]
    public void ARunFolderThatCannotBeMadeOrWrittenSaysWhatFailedNotThatItIsInUse()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("a-file"), "not a folder");
        var cases = new List<(string Folder, string Tried)>
        {
            (folder.File("a-file"), "a regular file given as the run folder"),
            (Path.Combine(folder.File("a-file"), "run"), "a run folder inside a regular file"),
        };
        string readOnly = Directory.CreateDirectory(folder.File("read-only")).FullName;
        if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            cases.Add((readOnly, "a read-only (0555) run folder"));
        }
        try
        {
            foreach (var (target, tried) in cases)
            {
                var error = Assert.ThrowsAny<IOException>(() => RunFolderLock.Acquire(target).Dispose());
                Assert.DoesNotContain("in use by another training run", error.Message);
                Assert.Contains($"cannot use {target} as a run folder: ", error.Message);
                ReliabilityLog.Record("write failures", "run folder", tried, 1, $"ok: \"{error.Message}\"");
            }
        }
        finally
        {
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void AnExportThatCannotBeWrittenExitsWithTheCauseAndLeavesNoFile()
    {
        using var folder = new TemporaryFolder();
        using (var model = ResNetSharp.Models.ModelCatalog.Create("resnet18_cifar", numClasses: 3))
            SafetensorsFile.Save(folder.File("w.safetensors"), ResNetSharp.Models.StateDictOrder.Entries(model));
        File.WriteAllText(folder.File("not-a-folder"), "a file");
        foreach (var format in new[] { "onnx", "safetensors", "pth" })
        {
            string target = Path.Combine(folder.File("not-a-folder"), "model." + format);
            var (code, _, error) = SummaryCommandTests.Run("export", "--model", "resnet18_cifar", "--weights", folder.File("w.safetensors"),
                "--format", format, "--device", "cpu", "-o", target);
            Assert.NotEqual(0, code);
            Assert.Contains("not-a-folder", error);
            Assert.DoesNotContain("   at ", error);
            Assert.Single(error.Trim().Split('\n'));
        }
        Assert.Equal(["not-a-folder", "w.safetensors"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).Order());
        ReliabilityLog.Record("write failures", "export", "onnx/safetensors/pth into a path whose folder is a file", 3,
            "ok: one line naming the path, non-zero exit, nothing written");
    }

    [Fact]
    public void LeftoverTemporaryFilesAreRemovedAtTheNextStart()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("leftovers");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, AtomicFile.TemporaryPrefix + "checkpoint.safetensors-123-abc"), "half a file");
        var messages = new List<string>();
        var observer = new MessageRecorder(messages);
        using (var stop = new CancellationTokenSource())
            new Trainer(run.Config with { Schedule = run.Config.Schedule with { Epochs = 1 } }, folder, CPU, run.DataDir, new ObserverList(observer, new StopAtStep(1, stop))).Run(false, false, stop.Token);
        Assert.Contains(messages, m => m.Contains("removed 1 unfinished temporary file"));
        Assert.Empty(Directory.GetFiles(folder, AtomicFile.TemporaryPrefix + "*"));
    }

    private sealed class MessageRecorder(List<string> messages) : TrainingObserver
    {
        public override void Message(string text) => messages.Add(text);
    }
}
