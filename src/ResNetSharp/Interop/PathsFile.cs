using System.Text;
using System.Text.Json;
using ResNetSharp.Common;

namespace ResNetSharp.Interop;

/// <summary>
/// The row index of a feature matrix or image index: JSON lines, <c>{"row":0,"path":"..."}</c> per row, in
/// row order. JSON escapes every character a file name may hold (newlines included), so a name can never
/// shift the rows; the row number on each line makes a damaged or reordered file an error, not a silent offset.
/// </summary>
public static class PathsFile
{
    /// <summary>Writes one line per path, atomically.</summary>
    public static void Write(string file, IReadOnlyList<string> paths) =>
        AtomicFile.Write(file, stream => Append(stream, paths, 0));

    /// <summary>Writes the lines of rows <paramref name="firstRow"/>, <paramref name="firstRow"/>+1, ... to <paramref name="stream"/>.</summary>
    public static void Append(Stream stream, IEnumerable<string> paths, long firstRow)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long row = firstRow;
        foreach (string path in paths)
        {
            writer.WriteStartObject();
            writer.WriteNumber("row", row++);
            writer.WriteString("path", path);
            writer.WriteEndObject();
            writer.Flush();
            writer.Reset();
            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>Bytes a paths file may have: 100 million rows of 100-character paths fit.</summary>
    public const long MaxFileBytes = 16L << 30;

    /// <summary>
    /// The paths, by row. A line that is not <c>{"row":N,"path":"..."}</c> with N its line number, or text that
    /// is not UTF-8, is an <see cref="InvalidDataException"/> naming the file and line; only a regular file of at
    /// most <see cref="MaxFileBytes"/> is read (see <see cref="IO.InputFile"/>).
    /// </summary>
    public static IReadOnlyList<string> Read(string file)
    {
        var paths = new List<string>();
        using var reader = IO.InputFile.OpenText(file, "Paths file", MaxFileBytes, new UTF8Encoding(false, throwOnInvalidBytes: true));
        while (NextLine(reader, file, paths.Count) is { } line)
        {
            int row = paths.Count;
            if (line.Length == 0)
                throw new InvalidDataException($"{file}: line {row + 1} is empty; expected {{\"row\":{row},\"path\":...}}.");
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("row", out var number) || number.ValueKind != JsonValueKind.Number || !number.TryGetInt64(out long at)
                    || !root.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"{file}: line {row + 1} is not {{\"row\":N,\"path\":\"...\"}}.");
                if (at != row)
                    throw new InvalidDataException($"{file}: line {row + 1} says row {at}; rows must be 0, 1, 2, ... in order.");
                paths.Add(path.GetString()!);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{file}: line {row + 1} is not valid JSON ({e.Message}).", e);
            }
        }
        return paths;
    }

    private static string? NextLine(StreamReader reader, string file, int row)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{file}: line {row + 1} is not UTF-8 ({e.Message}).", e);
        }
    }
}
