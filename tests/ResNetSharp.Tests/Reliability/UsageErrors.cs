using ResNetSharp.Cli;

namespace ResNetSharp.Tests.Reliability;

/// <summary>The check every bad input to the CLI must pass: exit code 2 and one line naming the problem, recorded for the report.</summary>
internal static class UsageErrors
{
    /// <summary>Asserts <paramref name="run"/> exited with 2 and printed one line holding every fragment; records it under <paramref name="area"/>.</summary>
    public static void AssertOneLine((int Code, string Output, string Error) run, string area, string command, string tried, params string[] fragments)
    {
        var lines = run.Error.Trim().Split('\n');
        Assert.True(run.Code == CliApp.UsageError, $"exit {run.Code}: {run.Error}{run.Output}");
        Assert.Single(lines);
        Assert.DoesNotContain("   at ", run.Error);
        foreach (var fragment in fragments)
            Assert.Contains(fragment, lines[0]);
        ReliabilityLog.Record(area, command, tried, 1, $"ok: exit 2, \"{lines[0].Trim()}\"");
    }
}
