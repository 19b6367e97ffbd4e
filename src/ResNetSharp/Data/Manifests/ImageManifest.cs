using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace ResNetSharp.Data;

/// <summary>A label column to read from a manifest.</summary>
/// <param name="Name">Column name in the header.</param>
/// <param name="IsClass">Class names or integers (true), or numbers (false).</param>
/// <param name="ClassNames">The classes to map names to (a validation manifest uses the training manifest's); null: found in the file.</param>
public sealed record ManifestColumnRequest(string Name, bool IsClass, IReadOnlyList<string>? ClassNames = null);

/// <summary>One label column as read: class indices (-1: empty cell) or numbers (NaN: empty cell).</summary>
/// <param name="Name">Column name.</param>
/// <param name="IsClass">Whether it holds classes.</param>
/// <param name="ClassNames">Class names by index (empty for numbers).</param>
/// <param name="Classes">Class index per row, or null.</param>
/// <param name="Values">Number per row, or null.</param>
public sealed record ManifestColumn(string Name, bool IsClass, IReadOnlyList<string> ClassNames, long[]? Classes, double[]? Values);

/// <summary>
/// A CSV manifest of labelled images: a header, a <c>path</c> column (relative to the CSV file's folder,
/// or absolute) and one column per label. Class columns hold names or integers (integers 0..K-1 are
/// their own class indices; names are sorted, as torchvision's ImageFolder sorts folders); number columns
/// hold numbers; an empty cell means the sample has no label there. Every problem in the file (a row
/// naming a missing image included) is an <see cref="InvalidDataException"/> naming the file, the row and the column.
/// </summary>
/// <param name="Path">The CSV file.</param>
/// <param name="ImagePaths">Full path of each row's image.</param>
/// <param name="Columns">The requested columns, in request order.</param>
public sealed record ImageManifest(string Path, IReadOnlyList<string> ImagePaths, IReadOnlyList<ManifestColumn> Columns)
{
    /// <summary>The column holding image paths.</summary>
    public const string PathColumn = "path";

    /// <summary>Bytes a manifest may have: ImageNet's 1.3 million rows take about 100 MB.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>
    /// Reads <paramref name="path"/> and the <paramref name="columns"/> asked for (others are ignored). Only a
    /// regular file of at most <see cref="MaxFileBytes"/> is read (see <see cref="IO.InputFile"/>).
    /// </summary>
    public static ImageManifest Read(string path, IReadOnlyList<ManifestColumnRequest> columns)
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        using var reader = IO.InputFile.OpenText(path, "Manifest", MaxFileBytes);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectColumnCountChanges = true, TrimOptions = TrimOptions.Trim });
        string[] header;
        try
        {
            header = csv.Read() && csv.ReadHeader() ? csv.HeaderRecord ?? [] : [];
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{path}: not a CSV file with a header ({e.Message.Split('\n')[0]}).", e);
        }
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"{path}: column '{duplicate.Key}' appears twice in the header.");
        int pathIndex = Array.IndexOf(header, PathColumn);
        if (pathIndex < 0)
            throw new InvalidDataException($"{path}: no '{PathColumn}' column in the header ({string.Join(",", header)}).");
        var indices = columns.Select(c => Array.IndexOf(header, c.Name) is var i and >= 0 ? i
            : throw new InvalidDataException($"{path}: no column '{c.Name}' in the header; its columns: {string.Join(", ", header)}.")).ToArray();

        var images = new List<string>();
        var cells = columns.Select(_ => new List<string>()).ToArray();
        try
        {
            while (csv.Read())
            {
                int row = csv.Parser.Row;
                string image = csv.GetField(pathIndex) ?? "";
                if (image.Length == 0)
                    throw new InvalidDataException($"{path}: row {row}: empty '{PathColumn}'.");
                if (image.Contains('\0'))
                    throw new InvalidDataException($"{path}: row {row}: '{PathColumn}' holds a NUL character.");
                string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, image));
                if (!File.Exists(full))
                    throw new InvalidDataException($"{path}: row {row}: image not found: {full}");
                images.Add(full);
                for (int c = 0; c < columns.Count; c++)
                    cells[c].Add(csv.GetField(indices[c]) ?? "");
            }
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{path}: row {csv.Parser.Row}: {e.Message.Split('\n')[0]}", e);
        }
        if (images.Count == 0)
            throw new InvalidDataException($"{path}: no rows after the header.");
        return new ImageManifest(path, images, columns.Select((c, i) => Parse(path, c, cells[i])).ToList());
    }

    private static ManifestColumn Parse(string path, ManifestColumnRequest request, List<string> cells)
    {
        string Where(int i) => $"{path}: row {i + 2}, column '{request.Name}'";
        if (!request.IsClass)
        {
            var values = cells.Select((cell, i) => cell.Length == 0 ? double.NaN
                : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
                : throw new InvalidDataException($"{Where(i)}: '{cell}' is not a number.")).ToArray();
            if (values.All(double.IsNaN))
                throw new InvalidDataException($"{path}: column '{request.Name}' has no values.");
            return new ManifestColumn(request.Name, false, [], null, values);
        }
        var names = request.ClassNames ?? ClassNamesOf(cells);
        if (names.Count == 0)
            throw new InvalidDataException($"{path}: column '{request.Name}' has no labels.");
        var lookup = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (long)p.i, StringComparer.Ordinal);
        var classes = cells.Select((cell, i) => cell.Length == 0 ? -1
            : lookup.TryGetValue(cell, out long index) ? index
            : throw new InvalidDataException($"{Where(i)}: '{cell}' is not one of the classes ({string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", …" : "")}).")).ToArray();
        return new ManifestColumn(request.Name, true, names, classes, null);
    }

    /// <summary>Integers 0..max name themselves; otherwise the distinct names in ordinal order.</summary>
    private static IReadOnlyList<string> ClassNamesOf(List<string> cells)
    {
        var distinct = cells.Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > 0 && distinct.All(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v <= 100_000 && c == v.ToString(CultureInfo.InvariantCulture)))
        {
            int max = distinct.Max(c => int.Parse(c, CultureInfo.InvariantCulture));
            return Enumerable.Range(0, max + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        }
        return distinct.Order(StringComparer.Ordinal).ToList();
    }
}
