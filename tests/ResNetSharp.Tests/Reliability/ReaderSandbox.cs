using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Runs file readers on hostile inputs in a child process (this test assembly started as a program, see
/// Program.cs) whose address space is capped, so that a crash, a hang or a memory blow-up becomes a
/// recorded outcome instead of the end of the test run (or of the machine). Each input must end in a
/// result or in its reader's documented error naming the file, within <see cref="TimeLimit"/>, raising
/// the process's peak resident memory by at most <see cref="PeakGrowthLimit"/> and allocating at most
/// <see cref="AllocationLimit"/> managed bytes.
/// </summary>
internal static class ReaderSandbox
{
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(20);

    /// <summary>Time for a child to start and build its seeds (libtorch, ONNX export) before the first input.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(180);

    public const long PeakGrowthLimit = 256L << 20;
    public const long AllocationLimit = 512L << 20;

    /// <summary>The child's address space may grow this far past what it has mapped once started.</summary>
    public const long AddressSpaceHeadroom = 3L << 30;

    private const string Marker = "@@sandbox ";

    /// <summary>A batch of inputs for one reader: seeded mutations of its seed, or given files (bytes before the target's Encode).</summary>
    public sealed record Job(string Target, int First = 0, int Count = 0, IReadOnlyList<string>? Files = null)
    {
        public int Length => Files?.Count ?? Count;
    }

    /// <summary>What became of one input: "result", "rejected" (the documented error, naming the file) or "failure".</summary>
    public sealed record Outcome(string Target, int Index, string Kind, string Detail, long PeakGrowth, long Milliseconds)
    {
        public string? SavedInput { get; init; }
    }

    /// <summary>Runs the jobs in one child after another (a new one after each crash or hang), saving failing inputs in <paramref name="failures"/>.</summary>
    public static List<Outcome> Run(IReadOnlyList<Job> jobs, string? failures = null)
    {
        using var work = new TemporaryFolder();
        var outcomes = new List<Outcome>();
        var remaining = jobs.Where(j => j.Length > 0).ToList();
        while (remaining.Count > 0)
        {
            int before = outcomes.Count;
            RunChild(remaining, work.Path, outcomes, failures);
            // Whatever ended the child, go on after the last input it finished.
            remaining = Remaining(jobs, outcomes);
            if (outcomes.Count == before)
                throw new InvalidOperationException($"the sandbox child made no progress on {remaining[0].Target}");
        }
        return outcomes;
    }

    private static List<Job> Remaining(IReadOnlyList<Job> jobs, List<Outcome> outcomes)
    {
        var done = outcomes.GroupBy(o => o.Target).ToDictionary(g => g.Key, g => g.Count());
        var left = new List<Job>();
        foreach (var job in jobs)
        {
            int finished = done.GetValueOrDefault(job.Target);
            done[job.Target] = Math.Max(0, finished - job.Length);
            if (finished >= job.Length)
                continue;
            left.Add(job.Files is null ? job with { First = job.First + finished, Count = job.Count - finished }
                : job with { Files = job.Files.Skip(finished).ToList(), First = job.First + finished });
        }
        return left;
    }

    private static void RunChild(List<Job> jobs, string work, List<Outcome> outcomes, string? failures)
    {
        string jobFile = Path.Combine(work, "jobs.json");
        File.WriteAllText(jobFile, JsonSerializer.Serialize(jobs));
        var start = new ProcessStartInfo(DotnetHost(), [typeof(ReaderSandbox).Assembly.Location, "sandbox", work, jobFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var child = Process.Start(start)!;
        var errors = new StringBuilder();
        child.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
                if (e.Data is not null && errors.Length < 1 << 16)
                    errors.AppendLine(e.Data);
        };
        child.BeginErrorReadLine();
        (string Target, int Index)? current = null;
        var limit = StartLimit;
        while (true)
        {
            var line = child.StandardOutput.ReadLineAsync();
            if (!line.Wait(limit))
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
                if (current is { } hung)
                    outcomes.Add(Failed(hung, $"no answer within {TimeLimit.TotalSeconds} s (hang)", work, failures));
                return;
            }
            if (line.Result is null)
                break;
            if (!line.Result.StartsWith(Marker, StringComparison.Ordinal))
                continue;
            using var message = JsonDocument.Parse(line.Result[Marker.Length..]);
            var root = message.RootElement;
            limit = TimeLimit;
            if (root.TryGetProperty("start", out var started))
                current = (root.GetProperty("target").GetString()!, started.GetInt32());
            else if (root.TryGetProperty("kind", out var kind))
            {
                var outcome = new Outcome(root.GetProperty("target").GetString()!, root.GetProperty("index").GetInt32(), kind.GetString()!,
                    root.GetProperty("detail").GetString()!, root.GetProperty("peak").GetInt64(), root.GetProperty("ms").GetInt64());
                outcomes.Add(outcome.Kind == "failure" ? outcome with { SavedInput = Save(outcome.Target, outcome.Index, work, failures) } : outcome);
                current = null;
            }
            else if (root.TryGetProperty("broken", out var broken))
                throw new InvalidOperationException($"sandbox: {broken.GetString()}");
        }
        child.WaitForExit();
        if (current is { } crashed)
        {
            string tail;
            lock (errors)
                tail = errors.ToString().Trim();
            tail = tail.Length > 600 ? "…" + tail[^600..] : tail;
            outcomes.Add(Failed(crashed, $"the process died (exit code {child.ExitCode}): {tail}", work, failures));
        }
    }

    private static Outcome Failed((string Target, int Index) input, string detail, string work, string? failures) =>
        new(input.Target, input.Index, "failure", detail, 0, 0) { SavedInput = Save(input.Target, input.Index, work, failures) };

    /// <summary>
    /// Keeps a failing input: the copy the child made of it when it reported the failure (by then it may have
    /// written the next input over input.bin), else input.bin, which a crashed or hung child left as it was.
    /// </summary>
    private static string? Save(string target, int index, string work, string? failures)
    {
        string input = FailedInput(work, target, index) is var kept && File.Exists(kept) ? kept : Path.Combine(work, "input.bin");
        if (failures is null || !File.Exists(input))
            return null;
        Directory.CreateDirectory(failures);
        string saved = Path.Combine(failures, $"{target.Replace(' ', '_')}--{index}.bin");
        File.Copy(input, saved, overwrite: true);
        return saved;
    }

    private static string FailedInput(string work, string target, int index) =>
        Path.Combine(work, $"failed--{target.Replace(' ', '_')}--{index}.bin");

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    /// <summary>The child: <c>sandbox WORK JOBS.json</c>. Reports each input on stdout, before and after reading it.</summary>
    public static int ChildMain(string[] args)
    {
        string work = args[0];
        var jobs = JsonSerializer.Deserialize<List<Job>>(File.ReadAllText(args[1]))!;
        var targets = jobs.Select(j => FuzzTarget.Named(j.Target)).Distinct().ToList();
        var templates = new Dictionary<string, (string Folder, byte[] Seed)>();
        foreach (var target in targets)
        {
            string folder = Path.Combine(work, "template-" + templates.Count);
            Directory.CreateDirectory(folder);
            var seed = target.CreateSeed(folder);
            // The seed must read: this also loads every native library the reader needs before anything is measured.
            var check = Measure(target, seed, folder, Path.Combine(work, "seed-case"));
            if (check.Kind != "result")
            {
                Report(new { broken = $"the seed of {target.Name} does not read: {check.Detail}" });
                return 3;
            }
            templates[target.Name] = (folder, seed);
        }
        ProcessMemory.LimitAddressSpace(ProcessMemory.AddressSpace() + AddressSpaceHeadroom);
        string inputCopy = Path.Combine(work, "input.bin"), caseFolder = Path.Combine(work, "case");
        foreach (var job in jobs)
        {
            var target = FuzzTarget.Named(job.Target);
            var (template, seed) = templates[target.Name];
            for (int n = 0; n < job.Length; n++)
            {
                int index = job.First + n;
                var bytes = job.Files is null ? target.Mutate(seed, index) : File.ReadAllBytes(job.Files[n]);
                File.WriteAllBytes(inputCopy, bytes);
                Report(new { target = target.Name, start = index });
                var outcome = Measure(target, bytes, template, caseFolder);
                if (outcome.Kind == "failure")
                    File.Copy(inputCopy, FailedInput(work, target.Name, index), overwrite: true);
                Report(new { target = target.Name, index, kind = outcome.Kind, detail = outcome.Detail, peak = outcome.PeakGrowth, ms = outcome.Milliseconds });
                if (index % 200 == 199)
                    GC.Collect();
            }
        }
        return 0;
    }

    private static void Report(object message) => Console.Out.WriteLine(Marker + JsonSerializer.Serialize(message));

    private static Outcome Measure(FuzzTarget target, byte[] bytes, string template, string caseFolder)
    {
        if (Directory.Exists(caseFolder))
            Directory.Delete(caseFolder, recursive: true);
        CopyFolder(template, caseFolder);
        string path = Path.Combine(caseFolder, target.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, target.Encode is null ? bytes : target.Encode(bytes));

        ProcessMemory.ResetPeak();
        long resident = ProcessMemory.Resident(), allocated = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            target.Read(path);
        }
        catch (Exception e)
        {
            error = e;
        }
        long ms = clock.ElapsedMilliseconds;
        long peak = Math.Max(0, ProcessMemory.PeakResident() - resident);
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        Outcome Result(string kind, string detail) => new(target.Name, 0, kind, detail, peak, ms);

        if (peak > PeakGrowthLimit)
            return Result("failure", $"raised peak resident memory by {peak >> 20} MiB for a {bytes.Length:N0}-byte input ({Describe(error)})");
        if (allocated > AllocationLimit)
            return Result("failure", $"allocated {allocated:N0} managed bytes for a {bytes.Length:N0}-byte input ({Describe(error)})");
        if (error is null)
            return Result("result", $"read in {ms} ms");
        if (error is OutOfMemoryException)
            return Result("failure", $"ran out of memory: {Describe(error)}");
        if (!target.Error.IsInstanceOfType(error))
            return Result("failure", Describe(error) + " " + ThrownAt(error));
        if (!error.Message.Contains(Path.GetFileName(target.FileName), StringComparison.Ordinal))
            return Result("failure", "message does not name the file: " + Describe(error));
        return Result("rejected", error.Message);
    }

    /// <summary>Where an undocumented exception came from: the first frame of its stack trace, for the failure report.</summary>
    private static string ThrownAt(Exception error) =>
        error.StackTrace?.Split('\n').Select(f => f.Trim()).FirstOrDefault(f => f.Length > 0) is { } frame ? $"[{frame}]" : "";

    private static string Describe(Exception? error) =>
        error is null ? "no error" : $"{error.GetType().FullName}: {error.Message.Split('\n')[0]}";

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.EnumerateDirectories(from))
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }
}
