using ResNetSharp.Cli;
using ResNetSharp.Data;
using ResNetSharp.Tests.Cli;

namespace ResNetSharp.Tests.Data;

public class ManifestTests
{
    [Fact]
    public void ClassColumnsTakeNamesOrIntegersAndEmptyCellsAreNoLabel()
    {
        using var folder = new TemporaryFolder();
        foreach (var name in new[] { "a.png", "sub/b.png", "c.png" })
            TestImages.Write(folder.File(name), 8, 8, 1);
        File.WriteAllLines(folder.File("m.csv"), ["path,age,gender,race", "a.png,31,female,2", "\"sub/b.png\",,male,0", "c.png,7.5,,4"]);
        var manifest = ImageManifest.Read(folder.File("m.csv"),
            [new("age", false), new("gender", true), new("race", true)]);
        Assert.Equal(folder.File("sub/b.png"), manifest.ImagePaths[1]);
        Assert.Equal([31, double.NaN, 7.5], manifest.Columns[0].Values!);
        Assert.Equal(["female", "male"], manifest.Columns[1].ClassNames);
        Assert.Equal([0L, 1, -1], manifest.Columns[1].Classes!);
        Assert.Equal(["0", "1", "2", "3", "4"], manifest.Columns[2].ClassNames); // integers are their own indices
        Assert.Equal([2L, 0, 4], manifest.Columns[2].Classes!);

        var missing = Assert.Throws<InvalidDataException>(() => ImageManifest.Read(folder.File("m.csv"), [new("colour", true)]));
        Assert.Contains("no column 'colour'", missing.Message);
        File.WriteAllLines(folder.File("bad.csv"), ["path,age", "a.png,old"]);
        var bad = Assert.Throws<InvalidDataException>(() => ImageManifest.Read(folder.File("bad.csv"), [new("age", false)]));
        Assert.Contains("bad.csv: row 2, column 'age': 'old' is not a number", bad.Message);
    }

    [Fact]
    public void UtkFaceNamesBecomeAManifestWithOneCommand()
    {
        Assert.Equal((25, "female", "asian"), UtkFaceNames.Parse("25_1_2_20170116174525125.jpg.chip.jpg"));
        Assert.Equal((61, "female", (string?)null), UtkFaceNames.Parse("61_1_20170109142408075.jpg.chip.jpg"));
        Assert.Null(UtkFaceNames.Parse("readme.jpg"));
        Assert.Null(UtkFaceNames.Parse("25_7_2_x.jpg"));

        using var folder = new TemporaryFolder();
        TestImages.Write(folder.File("faces/25_1_2_20170116174525125.jpg.chip.jpg"), 8, 8, 1, SkiaSharp.SKEncodedImageFormat.Jpeg);
        TestImages.Write(folder.File("faces/61_1_20170109142408075.jpg.chip.jpg"), 8, 8, 2, SkiaSharp.SKEncodedImageFormat.Jpeg);
        TestImages.Write(folder.File("faces/3_0_4_20170109142408075.jpg"), 8, 8, 3, SkiaSharp.SKEncodedImageFormat.Jpeg);
        TestImages.Write(folder.File("faces/cover.jpg"), 8, 8, 4, SkiaSharp.SKEncodedImageFormat.Jpeg);
        var (code, output, error) = SummaryCommandTests.Run("manifest", "utkface", folder.File("faces"), "-o", folder.File("train.csv"));
        Assert.True(code == 0, error);
        Assert.Contains("3 training images", output);
        Assert.Contains("1 file name(s) not in UTKFace's naming skipped", output);
        var manifest = ImageManifest.Read(folder.File("train.csv"), [new("age", false), new("gender", true), new("race", true)]);
        Assert.Equal(3, manifest.ImagePaths.Count);
        Assert.Equal([3, 25, 61], manifest.Columns[0].Values!.Order());
        Assert.Contains(-1L, manifest.Columns[2].Classes!);

        var (badCode, _, badError) = SummaryCommandTests.Run("manifest", "utkface", folder.File("nowhere"), "-o", folder.File("x.csv"));
        Assert.Equal(CliApp.UsageError, badCode);
        Assert.Contains("nowhere", badError);
    }
}
