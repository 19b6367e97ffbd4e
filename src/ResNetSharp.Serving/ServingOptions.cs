using System.Net;

namespace ResNetSharp.Serving;

/// <summary>Where a <see cref="ModelServer"/> listens and what requests it accepts.</summary>
/// <param name="Address">Address to listen on: loopback by default; <see cref="IPAddress.Any"/> to accept other machines.</param>
/// <param name="Port">TCP port; 0 picks a free one (read it back from <see cref="ModelServer.Url"/>).</param>
/// <param name="MaxBodyBytes">Largest request body; a larger one is answered 413.</param>
/// <param name="MaxImagePixels">Largest image by its header's width x height; a larger one (a decompression bomb) is answered 413 before any pixel is decoded.</param>
/// <param name="TopK">Classes in "top" unless the request asks for another count with <c>?k=N</c>.</param>
/// <param name="ShutdownTimeout">How long Ctrl-C or SIGTERM waits for requests in flight to finish.</param>
public sealed record ServingOptions(IPAddress Address, int Port = 8080, long MaxBodyBytes = 32L << 20, long MaxImagePixels = 50_000_000,
    int TopK = 5, TimeSpan? ShutdownTimeout = null)
{
    /// <summary>Loopback on <paramref name="port"/>, defaults otherwise.</summary>
    public static ServingOptions Loopback(int port = 8080) => new(IPAddress.Loopback, port);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), $"ServingOptions.Port must be between 0 and 65535; got {Port}.");
        if (MaxBodyBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), $"ServingOptions.MaxBodyBytes must be 1 or more; got {MaxBodyBytes}.");
        if (MaxImagePixels < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), $"ServingOptions.MaxImagePixels must be 1 or more; got {MaxImagePixels}.");
        if (TopK < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), $"ServingOptions.TopK must be 1 or more; got {TopK}.");
    }
}
