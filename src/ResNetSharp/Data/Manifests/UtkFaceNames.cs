using System.Globalization;
using CsvHelper;
using ResNetSharp.Common;
using ResNetSharp.Imaging;

namespace ResNetSharp.Data;

/// <summary>
/// UTKFace's labels, which live in its file names: <c>AGE_GENDER_RACE_DATETIME.jpg</c> (gender 0 male, 1
/// female; race 0 white, 1 black, 2 asian, 3 indian, 4 others). A few files lack the race; their race cell
/// stays empty (no label). Names that do not start with an age and a gender are skipped and counted.
/// </summary>
public static class UtkFaceNames
{
    /// <summary>Gender names by code.</summary>
    public static readonly IReadOnlyList<string> Genders = ["male", "female"];

    /// <summary>Race names by code.</summary>
    public static readonly IReadOnlyList<string> Races = ["white", "black", "asian", "indian", "others"];

    /// <summary>One image's labels (null: not in its name).</summary>
    public sealed record Sample(string Path, int Age, string Gender, string? Race);

    /// <summary>The images of <paramref name="folder"/> (recursively, sorted) with the labels their names give, and how many names did not parse.</summary>
    public static (IReadOnlyList<Sample> Samples, int Skipped) Scan(string folder)
    {
        var samples = new List<Sample>();
        int skipped = 0;
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                     .Where(f => ImageDecoder.Extensions.Contains(System.IO.Path.GetExtension(f))).Order(StringComparer.Ordinal))
        {
            if (Parse(System.IO.Path.GetFileName(path)) is { } labels)
                samples.Add(new Sample(path, labels.Age, labels.Gender, labels.Race));
            else
                skipped++;
        }
        return samples.Count > 0 ? (samples, skipped)
            : throw new InvalidDataException($"{folder}: no image named AGE_GENDER_RACE_DATETIME.jpg (UTKFace's naming); {skipped} other image(s).");
    }

    /// <summary>The labels of one file name, or null when it does not follow the naming.</summary>
    public static (int Age, string Gender, string? Race)? Parse(string fileName)
    {
        var parts = fileName.Split('_');
        if (parts.Length < 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int age) || age > 130
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int gender) || gender > 1)
            return null;
        string? race = parts.Length >= 4 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int code) && code < Races.Count
            ? Races[code] : null;
        return (age, Genders[gender], race);
    }

    /// <summary>Writes a manifest (path relative to the CSV's folder, age, gender, race) atomically.</summary>
    public static void WriteManifest(string csvPath, IEnumerable<Sample> samples)
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(csvPath))!;
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            foreach (var header in new[] { ImageManifest.PathColumn, "age", "gender", "race" })
                csv.WriteField(header);
            csv.NextRecord();
            foreach (var sample in samples)
            {
                csv.WriteField(System.IO.Path.GetRelativePath(folder, sample.Path));
                csv.WriteField(sample.Age.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(sample.Gender);
                csv.WriteField(sample.Race ?? "");
                csv.NextRecord();
            }
        }
        AtomicFile.Write(csvPath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }
}
