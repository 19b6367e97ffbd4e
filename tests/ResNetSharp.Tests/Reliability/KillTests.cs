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
        string latest = Path.Combine(killed, "checkpoint.safetensors");
        var random = new Random(2026);
        var survived = new List<string>();
        for (int kill = 0; kill < Kills; kill++)
        {
            // Each kill lands a random 0-150 ms after this run's first new checkpoint: mid-step or
            // mid-write, and always after progress, however fast or slow the machine is.
            var delay = TimeSpan.FromMilliseconds(random.Next(150));
            var before = File.Exists(latest) ? File.GetLastWriteTimeUtc(latest) : DateTime.MinValue;
            async Task AfterNewCheckpoint()
            {
                var giveUp = DateTime.UtcNow.AddMinutes(2); // the run ended some other way; its exit code tells
                while ((!File.Exists(latest) || File.GetLastWriteTimeUtc(latest) == before) && DateTime.UtcNow < giveUp)
                    await Task.Delay(5);
                await Task.Delay(delay);
            }
            var (killCode, _, killError) = await CliProcess.RunAsync(Arguments(killed), killWhen: AfterNewCheckpoint);
            if (killCode == 0)
                break; // finished before the kill landed
            Assert.True(killCode == 137 || killCode == -1 || killCode == 9 || OperatingSystem.IsWindows(), $"exit {killCode}: {killError}");
            string state = "no checkpoint yet";
            if (File.Exists(Path.Combine(killed, "checkpoint.safetensors")))
            {
                var warnings = new List<string>();
                var loaded = new CheckpointStore(killed).LoadLatest(warnings.Add)!;
                Assert.Empty(warnings);
                Assert.Equal(Path.Combine(killed, "checkpoint.safetensors"), loaded.Path);
                foreach (var (_, tensor) in loaded.Tensors)
                    tensor.Dispose();
                state = $"checkpoint at step {loaded.Progress.GlobalStep} loadable";
            }
            survived.Add($"kill {delay.TotalMilliseconds:F0} ms after a new checkpoint: {state}");
        }
        var (finalCode, _, finalError) = await CliProcess.RunAsync(Arguments(killed));
        Assert.True(finalCode == 0, finalError);

        var expected = SafetensorsFile.Load(Path.Combine(reference, "last.safetensors")).Tensors;
        var actual = SafetensorsFile.Load(Path.Combine(killed, "last.safetensors")).Tensors;
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach (var ((name, e), (_, a)) in expected.Zip(actual))
            Assert.True(e.bytes.SequenceEqual(a.bytes), $"{name} differs after {survived.Count} kills");
        Assert.True(survived.Count >= 2, "at least two kills should land before the run finishes: " + string.Join("; ", survived));
        ReliabilityLog.Record("kills", "resnet train", "SIGKILL at random moments after checkpoints, then --resume, " + string.Join("; ", survived), survived.Count,
            $"ok: every latest checkpoint loadable; final weights bit-identical to the uninterrupted run ({expected.Count} tensors)");
    }
}
