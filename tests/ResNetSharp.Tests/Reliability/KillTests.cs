using ResNetSharp.Interop;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// <c>resnet train</c> killed with SIGKILL at random moments (mid-step, mid-checkpoint), resumed each
/// time: the latest checkpoint is loadable after every kill, and the final weights are bit-identical to
/// an uninterrupted run with the same seed.
/// </summary>
[Trait("Category", "Reliability")]
public class KillTests
{
    private const int Kills = 5;

    [Fact]
    public async Task ARunKilledRepeatedlyAndResumedEndsBitIdenticalToAnUninterruptedOne()
    {
        using var run = new TinyRun(trainImages: 640, testImages: 32);
        string[] Arguments(string folder) =>
        [
            "train", "--model", run.ModelFile, "--dataset", "fashion-mnist", "--data-dir", run.DataDir, "--epochs", "2",
            "--batch-size", "16", "--checkpoint-every", "3", "--seed", "11", "--device", "cpu", "--quiet", "-o", folder, "--resume",
        ];

        string reference = run.RunFolder("reference");
        var (code, _, error) = await CliProcess.RunAsync(Arguments(reference));
        Assert.True(code == 0, error);

        string killed = run.RunFolder("killed");
        var survived = await KillRepeatedly(Arguments, killed, Kills, seed: 2026);
        var (finalCode, _, finalError) = await CliProcess.RunAsync(Arguments(killed));
        Assert.True(finalCode == 0, finalError);

        int tensors = AssertBitIdentical(reference, killed, "last.safetensors", survived);
        Assert.True(survived.Count >= 2, "at least two kills should land before the run finishes: " + string.Join("; ", survived));
        ReliabilityLog.Record("kills", "resnet train", "SIGKILL at random moments after checkpoints, then --resume, " + string.Join("; ", survived), survived.Count,
            $"ok: every latest checkpoint loadable; final weights bit-identical to the uninterrupted run ({tensors} tensors)");
    }

    [Fact]
    public async Task AMultiHeadRunWithAWeightAverageKilledAndResumedEndsBitIdentical()
    {
        using var folder = new TemporaryFolder();
        var (train, _) = Cli.MultiHeadCommandTests.WriteDiscs(folder, "train", 96, 31);
        var (val, _) = Cli.MultiHeadCommandTests.WriteDiscs(folder, "val", 16, 32);
        File.WriteAllText(folder.File("tiny.json"), """{"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3}""");
        string[] Arguments(string run) =>
        [
            "train", "--manifest", train, "--val-manifest", val, "--heads", "radius=regression,colour=classification", "--model", folder.File("tiny.json"),
            "--image-size", "24", "--in-memory-images", "--epochs", "2", "--batch-size", "8", "--mixup", "0.4", "--ema", "0.9",
            "--checkpoint-every", "3", "--seed", "5", "--device", "cpu", "--quiet", "-o", run, "--resume",
        ];
        string reference = folder.File("reference");
        var (code, _, error) = await CliProcess.RunAsync(Arguments(reference));
        Assert.True(code == 0, error);

        string killed = folder.File("killed");
        var survived = await KillRepeatedly(Arguments, killed, kills: 3, seed: 16);
        var (finalCode, _, finalError) = await CliProcess.RunAsync(Arguments(killed));
        Assert.True(finalCode == 0, finalError);

        foreach (var file in new[] { "last.safetensors", "ema.safetensors" })
            AssertBitIdentical(reference, killed, file, survived);
        Assert.Contains(SafetensorsFile.Load(Path.Combine(killed, "last.safetensors")).Tensors, t => t.Name == "radius.fc.weight");
        Assert.True(survived.Count >= 1, "at least one kill should land before the run finishes");
        ReliabilityLog.Record("kills", "resnet train --heads", "SIGKILL after checkpoints of a two-head run with mixup and EMA, then --resume, " +
            string.Join("; ", survived), survived.Count, "ok: final weights and weight average bit-identical to the uninterrupted run");
    }

    /// <summary>
    /// Runs resnet with <paramref name="arguments"/> up to <paramref name="kills"/> times, each killed (SIGKILL) a random 0-150 ms
    /// after its first new checkpoint, so mid-step or mid-write and always after progress, however fast or slow the machine
    /// is; after each kill the latest checkpoint must load without warnings. Returns what each kill left.
    /// </summary>
    private static async Task<List<string>> KillRepeatedly(Func<string, string[]> arguments, string killed, int kills, int seed)
    {
        string latest = Path.Combine(killed, "checkpoint.safetensors");
        var random = new Random(seed);
        var survived = new List<string>();
        for (int kill = 0; kill < kills; kill++)
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(150));
            var before = File.Exists(latest) ? File.GetLastWriteTimeUtc(latest) : DateTime.MinValue;
            async Task AfterNewCheckpoint()
            {
                var giveUp = DateTime.UtcNow.AddMinutes(2); // the run ended some other way; its exit code tells
                while ((!File.Exists(latest) || File.GetLastWriteTimeUtc(latest) == before) && DateTime.UtcNow < giveUp)
                    await Task.Delay(5);
                await Task.Delay(delay);
            }
            var (killCode, _, killError) = await CliProcess.RunAsync(arguments(killed), killWhen: AfterNewCheckpoint);
            if (killCode == 0)
                break; // finished before the kill landed
            Assert.True(killCode == 137 || killCode == -1 || killCode == 9 || OperatingSystem.IsWindows(), $"exit {killCode}: {killError}");
            string state = "no checkpoint yet";
            if (File.Exists(latest))
            {
                var warnings = new List<string>();
                var loaded = new CheckpointStore(killed).LoadLatest(warnings.Add)!;
                Assert.Empty(warnings);
                Assert.Equal(latest, loaded.Path);
                foreach (var (_, tensor) in loaded.Tensors)
                    tensor.Dispose();
                state = $"checkpoint at step {loaded.Progress.GlobalStep} loadable";
            }
            survived.Add($"kill {delay.TotalMilliseconds:F0} ms after a new checkpoint: {state}");
        }
        return survived;
    }

    /// <summary>Asserts <paramref name="file"/> holds the same tensors, byte for byte, in both run folders; returns how many.</summary>
    private static int AssertBitIdentical(string reference, string killed, string file, List<string> survived)
    {
        var expected = SafetensorsFile.Load(Path.Combine(reference, file)).Tensors;
        var actual = SafetensorsFile.Load(Path.Combine(killed, file)).Tensors;
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach (var ((name, e), (_, a)) in expected.Zip(actual))
            Assert.True(e.bytes.SequenceEqual(a.bytes), $"{file}: {name} differs after {survived.Count} kills");
        return expected.Count;
    }
}
