using System.Text.Json;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// What the reliability tests tried, one JSON line per case, into the file named by
/// RESNETSHARP_RELIABILITY_LOG (tools/reliability-report.sh sets it and turns the lines into
/// docs/RELIABILITY.md). Without the variable nothing is written.
/// </summary>
internal static class ReliabilityLog
{
    private static readonly object Gate = new();

    /// <summary>Records one case: its area (e.g. "fuzz"), what was tried, how many inputs and the outcome.</summary>
    public static void Record(string area, string subject, string tried, long inputs, string result)
    {
        if (Environment.GetEnvironmentVariable("RESNETSHARP_RELIABILITY_LOG") is not { Length: > 0 } path)
            return;
        string line = JsonSerializer.Serialize(new { area, subject, tried, inputs, result });
        lock (Gate)
            File.AppendAllLines(path, [line]);
    }
}
