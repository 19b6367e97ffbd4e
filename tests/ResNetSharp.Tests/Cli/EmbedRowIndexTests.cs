using ResNetSharp.Interop;
using ResNetSharp.Tests.Data;
using ResNetSharp.Tests.Zoo;

namespace ResNetSharp.Tests.Cli;

public class EmbedRowIndexTests
{
    [Fact]
    public void AFileNameWithANewlineKeepsItsRowInTheRowIndex()
    {
        using var folder = new TemporaryFolder();
        string weights = folder.File("tiny.safetensors");
        File.WriteAllBytes(weights, TestWeights.TinyFile(41, folder.Path));
        string images = folder.File("images");
        string odd = Path.Combine(images, "b\nshifted \"row\".png");
        TestImages.Write(Path.Combine(images, "a.png"), 20, 20, seed: 1);
        TestImages.Write(odd, 24, 20, seed: 2);
        TestImages.Write(Path.Combine(images, "c.png"), 20, 26, seed: 3);
        string alone = folder.File("alone");
        Directory.CreateDirectory(alone);
        File.Copy(odd, Path.Combine(alone, "plain.png"));

        string features = folder.File("f.npy"), single = folder.File("one.npy");
        foreach (var (source, target) in new[] { (images, features), (alone, single) })
        {
            var (code, _, error) = SummaryCommandTests.Run("embed", "--weights", weights, "--image-size", "16", "--device", "cpu", "-o", target, source);
            Assert.True(code == 0, error);
        }

        var paths = PathsFile.Read(folder.File("f.paths.jsonl"));
        var (matrix, shape) = NpyFile.ReadFloat32(features);
        Assert.Equal(shape[0], paths.Count);
        int row = paths.ToList().IndexOf(odd);
        Assert.True(row >= 0, string.Join(" | ", paths));
        var (expected, _) = NpyFile.ReadFloat32(single);
        Assert.Equal(expected, matrix.AsSpan((int)(row * shape[1]), (int)shape[1]).ToArray());
        Assert.Equal(3, File.ReadAllLines(folder.File("f.paths.jsonl")).Length);
    }

    [Fact]
    public void ARowIndexThatDoesNotCountUpIsRefusedNamingTheLine()
    {
        using var folder = new TemporaryFolder();
        string file = folder.File("x.paths.jsonl");
        File.WriteAllText(file, "{\"row\":0,\"path\":\"a\"}\n{\"row\":2,\"path\":\"b\"}\n");
        var error = Assert.Throws<InvalidDataException>(() => PathsFile.Read(file));
        Assert.Contains("x.paths.jsonl: line 2 says row 2", error.Message);
    }
}
