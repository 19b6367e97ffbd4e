using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Seeded mutation fuzzing of every file reader: each mutated input must end in a result or in the
/// reader's documented error type with a message naming the file, within a time limit and without
/// allocating without bound. RESNETSHARP_FUZZ_ITERATIONS sets the inputs per reader (default 120);
/// inputs that fail are saved for FuzzRegressions/.
/// </summary>
[Trait("Category", "Reliability")]
public class FuzzTests
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(20);
    private const long AllocationLimit = 512L << 20;

    public static TheoryData<string> Targets() => [.. FuzzTarget.All.Select(t => t.Name)];

    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("RESNETSHARP_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 120;

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedInputsEndInAResultOrTheDocumentedError(string name)
    {
        var target = FuzzTarget.All.Single(t => t.Name == name);
        using var seedFolder = new TemporaryFolder();
        var seed = target.CreateSeed(seedFolder.Path);
        Assert.Equal("result", Outcome(target, seed, seedFolder.Path, out _)); // the seed itself must be valid

        int accepted = 0, rejected = 0;
        var failures = new List<string>();
        for (int i = 0; i < Iterations && failures.Count < 5; i++)
        {
            // Not HashCode.Combine: it is salted per process, and a failure must reproduce in the next run.
            var mutated = ByteMutator.Mutate(seed, name.Length * 1_000_003 + i * 7919);
            using var folder = new TemporaryFolder();
            target.CreateSeed(folder.Path);
            string outcome = Outcome(target, mutated, folder.Path, out string detail);
            if (outcome == "result")
                accepted++;
            else if (outcome == "rejected")
                rejected++;
            else
                failures.Add($"input {i}: {detail} (saved as {SaveFailure(target, mutated, i)})");
        }
        ReliabilityLog.Record("fuzz", target.Name, $"seeded mutations of a valid file; expected error {target.Error.Name}",
            accepted + rejected + failures.Count, failures.Count == 0 ? $"ok: {rejected} rejected with a message naming the file, {accepted} read" : $"FAILED: {failures.Count}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    public static TheoryData<string> Regressions()
    {
        string root = Path.Combine(AppContext.BaseDirectory, "Reliability", "FuzzRegressions");
        var files = Directory.Exists(root) ? Directory.GetFiles(root, "*.bin").Select(f => Path.GetFileName(f)!).Order().ToList() : [];
        return files.Count == 0 ? ["(none)"] : [.. files];
    }

    /// <summary>Inputs that once broke a reader, named "TARGET--anything.bin" (target name with spaces as '_').</summary>
    [Theory]
    [MemberData(nameof(Regressions))]
    public void InputsThatOnceFailedNowEndInTheDocumentedError(string file)
    {
        if (file == "(none)")
        {
            string root = Path.Combine(AppContext.BaseDirectory, "Reliability", "FuzzRegressions");
            Assert.True(!Directory.Exists(root) || Directory.GetFiles(root, "*.bin").Length == 0);
            return;
        }
        string targetName = file[..file.IndexOf("--", StringComparison.Ordinal)].Replace('_', ' ');
        var target = FuzzTarget.All.Single(t => t.Name == targetName);
        using var folder = new TemporaryFolder();
        target.CreateSeed(folder.Path);
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reliability", "FuzzRegressions", file));
        string outcome = Outcome(target, bytes, folder.Path, out string detail);
        Assert.True(outcome is "result" or "rejected", detail);
    }

    /// <summary>"result", "rejected" (documented error naming the file) or "failure" with a description.</summary>
    private static string Outcome(FuzzTarget target, byte[] bytes, string folder, out string detail)
    {
        string path = Path.Combine(folder, target.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, target.Encode is null ? bytes : target.Encode(bytes));
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => target.Read(path));
        if (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeLimit))
        {
            detail = $"no answer within {TimeLimit.TotalSeconds} s (hang)";
            return "failure";
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        if (allocated > AllocationLimit)
        {
            detail = $"allocated {allocated:N0} bytes for a {bytes.Length:N0}-byte input";
            return "failure";
        }
        if (run.Exception is null)
        {
            detail = $"read in {clock.ElapsedMilliseconds} ms";
            return "result";
        }
        var error = run.Exception.InnerException!;
        detail = $"{error.GetType().FullName}: {error.Message}";
        if (!target.Error.IsInstanceOfType(error))
            return "failure";
        if (!error.Message.Contains(Path.GetFileName(target.FileName), StringComparison.Ordinal))
        {
            detail = "message does not name the file: " + detail;
            return "failure";
        }
        return "rejected";
    }

    private static string SaveFailure(FuzzTarget target, byte[] bytes, int index)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "fuzz-failures");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{target.Name.Replace(' ', '_')}--{index}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
