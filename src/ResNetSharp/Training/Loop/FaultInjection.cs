using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Faults that tests inject into a real training run through the RESNETSHARP_FAULT environment variable,
/// to check how the run reports them: "nan-loss@STEP" makes the loss of that step NaN; "oom@STEP" makes
/// that step fail as libtorch does when an allocation fails. STEP counts from 1. Unset: no effect.
/// </summary>
public sealed record FaultInjection(string Kind, long Step)
{
    /// <summary>The environment variable read by <see cref="FromEnvironment"/>.</summary>
    public const string Variable = "RESNETSHARP_FAULT";

    /// <summary>The fault the environment asks for, or null; a malformed value is an error naming the variable.</summary>
    public static FaultInjection? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } text)
            return null;
        var parts = text.Split('@');
        if (parts.Length == 2 && parts[0] is "nan-loss" or "oom"
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long step) && step >= 1)
            return new FaultInjection(parts[0], step);
        throw new ArgumentException($"{Variable}='{text}' is not a fault; expected nan-loss@STEP or oom@STEP with STEP 1 or more.");
    }

    /// <summary>Applies the fault to step <paramref name="step"/> (0-based) and its loss; returns the loss to use.</summary>
    public Tensor Apply(long step, Tensor loss, Device device)
    {
        if (step + 1 != Step)
            return loss;
        if (Kind == "oom")
            throw new ExternalException($"{(device.type == TorchSharp.DeviceType.CUDA ? "CUDA" : "CPU")} out of memory. Tried to allocate 20.00 GiB (injected by {Variable})");
        return loss * float.NaN;
    }
}
