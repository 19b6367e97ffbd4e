namespace ResNetSharp.Cli;

/// <summary>RESNETSHARP_DEBUG=1: errors print their full stack trace (libtorch's included) after the one-line message.</summary>
public static class DebugVariable
{
    /// <summary>The variable's name.</summary>
    public const string Name = "RESNETSHARP_DEBUG";

    /// <summary>The name used before 2026-11; still read, with a note to rename it.</summary>
    public const string FormerName = "RESNET_DEBUG";

    /// <summary>Whether RESNETSHARP_DEBUG (or the former RESNET_DEBUG) is 1.</summary>
    public static bool IsSet => Environment.GetEnvironmentVariable(Name) == "1" || Environment.GetEnvironmentVariable(FormerName) == "1";
}
