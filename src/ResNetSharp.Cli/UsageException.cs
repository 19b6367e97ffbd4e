namespace ResNetSharp.Cli;

/// <summary>A mistake in what the user asked for: reported as one line, exit code 2, no stack trace.</summary>
public sealed class UsageException(string message, Exception? inner = null) : Exception(message, inner);
