using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class RunFolderTests
{
    [Fact]
    public void NextVersionSkipsEveryFolderThatHoldsSomething()
    {
        using var root = new TemporaryFolder();
        string named = root.File("run1");
        Assert.Equal(named, RunFolder.NextVersion(named));
        Directory.CreateDirectory(named);
        Assert.Equal(named, RunFolder.NextVersion(named)); // empty: still free
        File.WriteAllText(Path.Combine(named, "metrics.jsonl"), "{}\n");
        Assert.Equal(named + "-2", RunFolder.NextVersion(named));
        Directory.CreateDirectory(named + "-2");
        File.WriteAllText(Path.Combine(named + "-2", "run.lock"), "1\n");
        Assert.Equal(named + "-3", RunFolder.NextVersion(named + Path.DirectorySeparatorChar));
        Assert.Equal(named + "-2", RunFolder.LatestVersion(named));
        Assert.Equal(root.File("other"), RunFolder.LatestVersion(root.File("other")));
    }

    [Fact]
    public void InspectTellsAFreeFolderFromAFinishedAndARunningRun()
    {
        using var root = new TemporaryFolder();
        string folder = root.File("run");
        Assert.Equal(RunFolderState.Free, RunFolder.Inspect(folder));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "metrics.jsonl"), "");
        Assert.Equal(RunFolderState.Free, RunFolder.Inspect(folder)); // crashed before its first checkpoint
        using (RunFolderLock.Acquire(folder))
            Assert.Equal(RunFolderState.Running, RunFolder.Inspect(folder));
        Assert.Equal(RunFolderState.Free, RunFolder.Inspect(folder)); // the lock file stays, unheld
        File.WriteAllBytes(new CheckpointStore(folder).LatestPath, [1]);
        Assert.Equal(RunFolderState.HoldsRun, RunFolder.Inspect(folder));
    }

    [Fact]
    public void TrainAccuracyCountsLabelledHitsAndWeighsMixedLabels()
    {
        var head = new ClassificationHead("fc", ["a", "b", "c"]);
        using var network = MultiHeadNetwork.FromSpec(ResNetSharp.Models.ModelCatalog.Get("resnet10_cifar_w8"), [head]);
        using var accuracy = new TrainAccuracy(network, CPU);
        // Predictions 0, 1, 2, 1 against labels 0, 1, -1 (no label), 2: two hits of three labelled samples.
        using var logits = tensor(new float[] { 5, 0, 0, 0, 5, 0, 0, 0, 5, 0, 5, 0 }, [4, 3]);
        using var labels = tensor(new long[] { 0, 1, -1, 2 });
        accuracy.Add(head, logits, labels, 1.0);
        Assert.Equal(2.0 / 3, accuracy.Take()["fc"], 12);
        Assert.True(double.IsNaN(accuracy.Take()["fc"])); // taken: counting starts again
        // Mixed at λ = 0.25 with the flipped labels 2, -1, 1, 0 (no hit): 0.25 · 2 hits of 3 labelled.
        accuracy.Add(head, logits, labels, 0.25);
        Assert.Equal(0.5 / 3, accuracy.Take()["fc"], 12);
    }
}
