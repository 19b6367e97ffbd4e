using System.Text;

namespace ResNetSharp.IO;

/// <summary>
/// Opens files given as input only when they are regular files: a named pipe would block the reader
/// forever, a device such as /dev/zero would feed it without end, and a link loop has no content.
/// Every reader of user-supplied paths goes through here.
/// </summary>
public static class InputFile
{
    /// <summary>
    /// Throws unless <paramref name="path"/> (links followed) is a regular file: a <see cref="FileNotFoundException"/>
    /// ("<paramref name="what"/> not found: path") when nothing is there, else a <see cref="NotARegularFileException"/>.
    /// </summary>
    /// <param name="path">The path as given.</param>
    /// <param name="what">What the file is for, starting with a capital, e.g. "Weights file".</param>
    public static void RequireRegular(string path, string what)
    {
        var probe = FileProbe.Of(path);
        if (probe.Kind == FileKind.Missing)
            throw new FileNotFoundException($"{what} not found: {path}", path);
        if (probe.Kind != FileKind.Regular)
            throw new NotARegularFileException(path, probe.Kind, what);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is there, for files that are optional (a run folder's logs): false when nothing is
    /// there, true for a regular file, a <see cref="NotARegularFileException"/> for anything else.
    /// </summary>
    /// <param name="path">The path as given.</param>
    /// <param name="what">What the file is for, starting with a capital, e.g. "Metrics log".</param>
    public static bool Exists(string path, string what)
    {
        var kind = FileProbe.Of(path).Kind;
        if (kind is FileKind.Missing or FileKind.Regular)
            return kind == FileKind.Regular;
        throw new NotARegularFileException(path, kind, what);
    }

    /// <summary>Opens a regular file for reading; see <see cref="RequireRegular"/>.</summary>
    public static FileStream OpenRead(string path, string what, int bufferSize = 4096)
    {
        RequireRegular(path, what);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
    }

    /// <summary>
    /// The UTF-8 text of a regular file of at most <paramref name="maxBytes"/> bytes (an
    /// <see cref="InvalidDataException"/> otherwise); see <see cref="RequireRegular"/>.
    /// </summary>
    public static string ReadAllText(string path, string what, long maxBytes)
    {
        using var reader = OpenText(path, what, maxBytes);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The lines of a regular UTF-8 text file of at most <paramref name="maxBytes"/> bytes, read as they are enumerated;
    /// the checks of <see cref="OpenText"/> are made at once.
    /// </summary>
    public static IEnumerable<string> ReadLines(string path, string what, long maxBytes)
    {
        var reader = OpenText(path, what, maxBytes);
        return Lines(reader);

        static IEnumerable<string> Lines(StreamReader reader)
        {
            using (reader)
                while (reader.ReadLine() is { } line)
                    yield return line;
        }
    }

    /// <summary>
    /// A UTF-8 reader of a regular file of at most <paramref name="maxBytes"/> bytes (an <see cref="InvalidDataException"/>
    /// otherwise), for files read line by line; see <see cref="RequireRegular"/>.
    /// </summary>
    /// <param name="path">The path as given.</param>
    /// <param name="what">What the file is for, starting with a capital, e.g. "Manifest".</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="encoding">The text's encoding (default: UTF-8 that replaces invalid bytes).</param>
    public static StreamReader OpenText(string path, string what, long maxBytes, Encoding? encoding = null) =>
        new(OpenReadAtMost(path, what, maxBytes), encoding ?? Encoding.UTF8);

    /// <summary>
    /// Opens a regular file of at most <paramref name="maxBytes"/> bytes for reading (an <see cref="InvalidDataException"/>
    /// naming it otherwise); see <see cref="RequireRegular"/>.
    /// </summary>
    public static FileStream OpenReadAtMost(string path, string what, long maxBytes)
    {
        var stream = OpenRead(path, what);
        if (stream.Length <= maxBytes)
            return stream;
        stream.Dispose();
        throw new InvalidDataException($"{what} {path} has {stream.Length:N0} bytes; at most {maxBytes:N0} are read.");
    }
}

/// <summary>A path given as input that names a folder, a FIFO, a device, a socket or a link loop instead of a regular file.</summary>
public sealed class NotARegularFileException(string path, FileKind kind, string what)
    : IOException($"{what} {path} is {FileProbe.Describe(kind)}, not a regular file.")
{
    /// <summary>The path as given.</summary>
    public string Path { get; } = path;

    /// <summary>What it names instead.</summary>
    public FileKind Kind { get; } = kind;
}
