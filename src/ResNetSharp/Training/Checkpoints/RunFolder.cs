namespace ResNetSharp.Training;

/// <summary>What a run folder holds, as far as starting a new run in it goes.</summary>
public enum RunFolderState
{
    /// <summary>Absent, or holding no run (no checkpoint, nobody training in it): a new run may start there.</summary>
    Free,

    /// <summary>A checkpoint of a run that finished or stopped: continue it with a resume, or train elsewhere.</summary>
    HoldsRun,

    /// <summary>Another process is training in it (its run.lock is held).</summary>
    Running,
}

/// <summary>
/// Run folders as timm and Lightning keep them: a new run never writes into an earlier one. A default folder that
/// is taken gives way to the next free version (<c>NAME-2</c>, <c>NAME-3</c>, …); the resolved config is kept in
/// <c>config.json</c> beside the checkpoints, in the format a config file is read in.
/// </summary>
public static class RunFolder
{
    /// <summary>File name of the resolved config inside a run folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>Whether a new run can start in <paramref name="folder"/>, or a finished, stopped or running one is there.</summary>
    public static RunFolderState Inspect(string folder)
    {
        if (!Directory.Exists(folder))
            return RunFolderState.Free;
        if (RunFolderLock.IsHeld(folder))
            return RunFolderState.Running;
        var store = new CheckpointStore(folder);
        return File.Exists(store.LatestPath) || File.Exists(store.PreviousPath) ? RunFolderState.HoldsRun : RunFolderState.Free;
    }

    /// <summary>
    /// <paramref name="folder"/> when it is absent or empty, else the first of <c>folder-2</c>, <c>folder-3</c>, …
    /// that is: a default folder never mixes a new run's files with an earlier run's, finished, stopped or crashed.
    /// </summary>
    public static string NextVersion(string folder)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(folder);
        if (IsUnused(trimmed))
            return trimmed;
        for (int version = 2; ; version++)
        {
            string candidate = $"{trimmed}-{version}";
            if (IsUnused(candidate))
                return candidate;
        }
    }

    /// <summary>The newest version of <paramref name="folder"/> (itself, or the highest <c>folder-N</c>) that exists; <paramref name="folder"/> when none does.</summary>
    public static string LatestVersion(string folder)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(folder);
        string latest = trimmed;
        for (int version = 2; Directory.Exists($"{trimmed}-{version}"); version++)
            latest = $"{trimmed}-{version}";
        return latest;
    }

    /// <summary>Writes <paramref name="config"/> to the folder's config.json atomically.</summary>
    public static void WriteConfig(string folder, TrainingConfig config) =>
        Common.AtomicFile.Write(Path.Combine(folder, ConfigFileName), stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJson() + "\n")));

    /// <summary>
    /// The config saved in <paramref name="folder"/>'s config.json, or null when there is none; a config.json that cannot be
    /// read is an error naming it (a <see cref="FormatException"/>, <see cref="IO.NotARegularFileException"/> or <see cref="InvalidDataException"/>).
    /// </summary>
    public static TrainingConfig? ReadConfig(string folder)
    {
        string path = Path.Combine(folder, ConfigFileName);
        return IO.InputFile.Exists(path, "Run config")
            ? TrainingConfig.FromJson(IO.InputFile.ReadAllText(path, "Run config", MaxConfigBytes), path)
            : null;
    }

    /// <summary>The largest config.json read back: a resolved config is a few kilobytes.</summary>
    public const long MaxConfigBytes = 16 << 20;

    private static bool IsUnused(string folder) =>
        !Directory.Exists(folder) && !File.Exists(folder) || Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any();
}
