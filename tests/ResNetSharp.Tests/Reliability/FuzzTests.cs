namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Seeded mutation fuzzing of every file reader, each in the <see cref="ReaderSandbox"/> (a child process
/// with a capped address space): each mutated input must end in a result or in the reader's documented
/// error type with a message naming the file, without a crash, a hang or a memory blow-up.
/// RESNETSHARP_FUZZ_ITERATIONS sets the inputs per reader (default 120; `bash tools/reliability-report.sh 10000` runs 10,000),
/// RESNETSHARP_FUZZ_TARGETS (names separated by ';') runs only those readers;
/// inputs that fail are saved under fuzz-failures/ beside the tests, for FuzzRegressions/.
/// </summary>
[Trait("Category", "Reliability")]
public class FuzzTests
{
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("RESNETSHARP_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 120;

    private static IReadOnlyList<FuzzTarget> Targets =>
        Environment.GetEnvironmentVariable("RESNETSHARP_FUZZ_TARGETS") is { Length: > 0 } names
            ? names.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(FuzzTarget.Named).ToList()
            : FuzzTarget.All;

    private static string RegressionFolder => Path.Combine(AppContext.BaseDirectory, "Reliability", "FuzzRegressions");

    /// <summary>All readers in one child process (one start-up), one report row each.</summary>
    [Fact]
    public void MutatedInputsEndInAResultOrTheDocumentedError()
    {
        var jobs = Targets.Select(t => new ReaderSandbox.Job(t.Name, Count: Iterations)).ToList();
        var outcomes = ReaderSandbox.Run(jobs, Path.Combine(AppContext.BaseDirectory, "fuzz-failures"));
        var problems = new List<string>();
        foreach (var target in Targets)
        {
            var mine = outcomes.Where(o => o.Target == target.Name).ToList();
            var failures = mine.Where(o => o.Kind == "failure").ToList();
            int rejected = mine.Count(o => o.Kind == "rejected"), read = mine.Count(o => o.Kind == "result");
            long peak = mine.Max(o => o.PeakGrowth) >> 20, slowest = mine.Max(o => o.Milliseconds);
            ReliabilityLog.Record("fuzz", target.Name, $"seeded mutations of a valid file; expected error {target.Error.Name}", mine.Count,
                failures.Count == 0
                    ? $"ok: {rejected} rejected with a message naming the file, {read} read; peak memory growth at most {peak} MiB, slowest {slowest} ms"
                    : $"FAILED: {failures.Count} ({failures[0].Detail})");
            problems.AddRange(failures.Take(5).Select(f => $"{f.Target} input {f.Index}: {f.Detail} (saved as {f.SavedInput})"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    public static TheoryData<string> RegressionTargets()
    {
        var targets = Directory.Exists(RegressionFolder)
            ? Directory.GetFiles(RegressionFolder, "*.bin").Select(TargetOf).Distinct().Order().ToList()
            : [];
        return targets.Count == 0 ? ["(none)"] : [.. targets];
    }

    /// <summary>Inputs that once broke a reader, named "TARGET--anything.bin" (target name with spaces as '_'), read in the sandbox.</summary>
    [Theory]
    [MemberData(nameof(RegressionTargets))]
    public void InputsThatOnceFailedNowEndInTheDocumentedError(string target)
    {
        if (target == "(none)")
        {
            Assert.True(!Directory.Exists(RegressionFolder) || Directory.GetFiles(RegressionFolder, "*.bin").Length == 0);
            return;
        }
        var files = Directory.GetFiles(RegressionFolder, "*.bin").Where(f => TargetOf(f) == target).Order().ToList();
        var outcomes = ReaderSandbox.Run([new ReaderSandbox.Job(target, Files: files)]);
        Assert.Equal(files.Count, outcomes.Count);
        var failures = outcomes.Where(o => o.Kind == "failure").Select(o => $"{Path.GetFileName(files[o.Index])}: {o.Detail}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string TargetOf(string file)
    {
        string name = Path.GetFileName(file);
        return name[..name.IndexOf("--", StringComparison.Ordinal)].Replace('_', ' ');
    }
}
