using ResNetSharp.Imaging;
using ResNetSharp.Inference;
using ResNetSharp.Models;
using ResNetSharp.Search;

namespace ResNetSharp.Tests.Search;

/// <summary><see cref="ImageIndexSearch"/> as a host of its own server uses it: an index it saved, searched with the same model's embeddings.</summary>
public class ImageIndexSearchTests
{
    private const int Dimensions = 16;
    private static readonly string Sha256 = new('b', 64);

    private static IndexedModel Indexed(int dimensions = Dimensions) =>
        new("indexed", ResNetSpecJson.ToJson(ModelCatalog.Get("resnet18")), "/nowhere/weights.safetensors", Sha256, null, ImagePreprocessing.ImageNet, dimensions);

    private static ImageModelInfo Served(params ModelOutput[] outputs) => new("served", "test", 3, ImagePreprocessing.ImageNet, outputs);

    [Fact]
    public void MismatchNamesWhatDiffers()
    {
        var logits = ModelOutput.Logits(["a", "b"]);
        Assert.Null(ImageIndexSearch.Mismatch(Indexed(), Served(logits, ModelOutput.Embedding(Dimensions)), Sha256.ToUpperInvariant()));
        Assert.Contains("no \"embedding\" output", ImageIndexSearch.Mismatch(Indexed(), Served(logits), Sha256));
        Assert.Contains("32 dimensions; the index holds 16", ImageIndexSearch.Mismatch(Indexed(), Served(ModelOutput.Embedding(32)), Sha256));
        Assert.Contains("other weights", ImageIndexSearch.Mismatch(Indexed(), Served(ModelOutput.Embedding(Dimensions)), new string('c', 64)));
        Assert.Contains("does not record which weights", ImageIndexSearch.Mismatch(Indexed(), Served(ModelOutput.Embedding(Dimensions)), null));
        var otherCrop = Served(ModelOutput.Embedding(Dimensions)) with { Preprocessing = ImagePreprocessing.ImageNet.WithCrop(160) };
        Assert.Contains("prepared as", ImageIndexSearch.Mismatch(Indexed(), otherCrop, Sha256));
    }

    [Fact]
    public void OpensASavedIndexAndFindsEachVectorFirstWithItsRow()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("index");
        var random = new Random(3);
        var vectors = Enumerable.Range(0, 40 * Dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var paths = Enumerable.Range(0, 40).Select(i => $"img{i}.png").ToList();
        using (var index = ImageIndex.Create(path, Indexed()))
        {
            index.Add(paths, vectors);
            index.Save();
        }

        using var search = ImageIndexSearch.Open(path, Served(ModelOutput.Embedding(Dimensions)), Sha256);
        Assert.Equal(40, search.Count);
        foreach (int row in new[] { 0, 17, 39 })
        {
            var hits = search.Search(vectors.AsSpan(row * Dimensions, Dimensions).ToArray(), 5);
            Assert.Equal(5, hits.Count);
            Assert.Equal(paths[row], hits[0].Path);
            Assert.Equal(row, hits[0].Row);
            Assert.True(hits[0].Score > 1 - 1e-5, $"{hits[0].Score}");
        }
        Assert.Throws<ArgumentException>(() => search.Search(new float[Dimensions + 1], 5));
        var refused = Assert.Throws<InvalidDataException>(() => ImageIndexSearch.Open(path, Served(ModelOutput.Embedding(Dimensions)), new string('c', 64)));
        Assert.Contains(Path.GetFullPath(path), refused.Message);
    }
}
