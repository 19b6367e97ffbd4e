namespace ResNetSharp.Training;

/// <summary>Holds run.lock in a run folder so that a second run pointed at the same folder refuses to start.</summary>
public sealed class RunFolderLock : IDisposable
{
    private readonly FileStream _lock;

    private RunFolderLock(FileStream stream) => _lock = stream;

    /// <summary>
    /// Takes the lock. Another run holding it is an <see cref="IOException"/> saying so; a folder that cannot
    /// be created or written (read-only, full, not a folder) is an <see cref="IOException"/> saying what failed.
    /// </summary>
    public static RunFolderLock Acquire(string folder)
    {
        string path = Path.Combine(folder, "run.lock");
        FileStream stream;
        try
        {
            Directory.CreateDirectory(folder);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (e is IOException && IsSharingViolation(e))
                throw new IOException($"{folder} is in use by another training run ({path} is locked); choose another --output.", e);
            throw new IOException($"cannot use {folder} as a run folder: {e.Message}", e);
        }
        try
        {
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush(flushToDisk: true);
            return new RunFolderLock(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new IOException($"cannot write {path}: {e.Message}", e);
        }
    }

    /// <summary>Whether another process holds <paramref name="folder"/>'s run.lock (a run is training there).</summary>
    public static bool IsHeld(string folder)
    {
        string path = Path.Combine(folder, "run.lock");
        if (!File.Exists(path))
            return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // unreadable: the run itself will say what is wrong when it tries to take the lock
        }
    }

    /// <summary>
    /// Whether opening failed because another handle holds the file's lock: .NET reports a held flock with the
    /// errno EWOULDBLOCK (11 on Linux, 35 on macOS) as the HResult, and Windows with ERROR_SHARING_VIOLATION (32).
    /// </summary>
    private static bool IsSharingViolation(Exception e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) == 32 : e.HResult == (OperatingSystem.IsMacOS() ? 35 : 11);

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();
}
