namespace ResNetSharp.Training;

/// <summary>Holds run.lock in a run folder so that a second run pointed at the same folder refuses to start.</summary>
public sealed class RunFolderLock : IDisposable
{
    private readonly FileStream _lock;

    private RunFolderLock(FileStream stream) => _lock = stream;

    /// <summary>Takes the lock, or throws an <see cref="IOException"/> saying another run holds the folder.</summary>
    public static RunFolderLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "run.lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            return new RunFolderLock(stream);
        }
        catch (IOException e)
        {
            throw new IOException($"{folder} is in use by another training run ({path} is locked); choose another --output.", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();
}
