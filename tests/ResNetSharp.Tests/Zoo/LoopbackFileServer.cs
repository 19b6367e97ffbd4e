using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ResNetSharp.Tests.Zoo;

/// <summary>
/// A small HTTP/1.1 file server on 127.0.0.1 at a free port, for download tests: serves the bytes it is
/// given by path, honours "Range: bytes=N-" with 206, and can cut a response short to simulate a dropped
/// connection. Records each request's path and range start.
/// </summary>
internal sealed class LoopbackFileServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _cutsLeft;
    private long _cutAfter;

    public LoopbackFileServer()
    {
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    /// <summary>The base URL, e.g. http://127.0.0.1:41234/</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>(path, range start or null) of every request, in order.</summary>
    public List<(string Path, long? From)> Requests { get; } = [];

    public void Put(string path, byte[] content)
    {
        lock (_files)
            _files[path] = content;
    }

    /// <summary>The next <paramref name="responses"/> responses announce the full length but close after <paramref name="bytes"/> bytes of body.</summary>
    public void CutNext(int responses, long bytes)
    {
        _cutsLeft = responses;
        _cutAfter = bytes;
    }

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var head = await ReadHead(stream);
            var lines = head.Split("\r\n");
            string path = Uri.UnescapeDataString(lines[0].Split(' ')[1].TrimStart('/'));
            long? from = lines.Skip(1).Where(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
                .Select(l => (long?)long.Parse(l.Split('=')[1].TrimEnd('-'))).FirstOrDefault();
            lock (Requests)
                Requests.Add((path, from));
            byte[]? content;
            lock (_files)
                content = _files.GetValueOrDefault(path);
            if (content is null)
            {
                await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ReadOnlyMemory<byte>.Empty);
                return;
            }
            long start = from ?? 0;
            if (start >= content.Length)
            {
                await Write(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{content.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ReadOnlyMemory<byte>.Empty);
                return;
            }
            var body = content.AsMemory((int)start);
            string status = from is null ? "200 OK" : "206 Partial Content";
            string range = from is null ? "" : $"Content-Range: bytes {start}-{content.Length - 1}/{content.Length}\r\n";
            string header = $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n{range}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            if (Interlocked.Decrement(ref _cutsLeft) >= 0)
                body = body[..(int)Math.Min(body.Length, _cutAfter)];
            await Write(stream, header, body);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string> ReadHead(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16384 && await stream.ReadAsync(one) == 1)
        {
            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n')
                break;
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    private static async Task Write(NetworkStream stream, string header, ReadOnlyMemory<byte> body)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
