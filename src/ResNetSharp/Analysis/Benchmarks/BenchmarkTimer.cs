using System.Diagnostics;

namespace ResNetSharp.Analysis.Benchmarks;

/// <summary>Steady-state timing: warm-up steps first, then one clock around the timed steps, synchronising only at its ends.</summary>
public static class BenchmarkTimer
{
    /// <summary>Seconds for <paramref name="steps"/> calls of <paramref name="step"/> after <paramref name="warmup"/> untimed ones.</summary>
    public static double Measure(Action step, int warmup, int steps, Action synchronize)
    {
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be 1 or more; got {steps}.");
        for (int i = 0; i < warmup; i++)
            step();
        synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
            step();
        synchronize();
        return clock.Elapsed.TotalSeconds;
    }
}
