namespace ResNetSharp.Serving;

/// <summary>A request the server refuses with a 4xx status and a one-line reason, sent back as JSON.</summary>
public sealed class RequestRejectedException(int status, string reason) : Exception(reason)
{
    /// <summary>The HTTP status code (400, 404, 413, 415, ...).</summary>
    public int Status { get; } = status;
}
