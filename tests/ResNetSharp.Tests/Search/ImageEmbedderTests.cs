using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Search;
using ResNetSharp.Tests.Data;
using ResNetSharp.Tests.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Search;

public class ImageEmbedderTests
{
    [Fact]
    public void EmbeddingsAreUnitLengthPooledFeaturesAndLeaveNoTensorsBehind()
    {
        using var folder = new TemporaryFolder();
        string weights = folder.File("tiny.safetensors");
        File.WriteAllBytes(weights, TestWeights.TinyFile(51, folder.Path));
        using var model = ResNetSharp.Interop.WeightsModel.Load(weights);
        var preprocessing = ImagePreprocessing.ForCrop(16);
        var description = ImageEmbedder.Describe("tiny", model, weights, null, preprocessing);
        using var embedder = new ImageEmbedder(model, description, CPU, ownsModel: false);
        var image = ImageDecoder.Decode(TestImages.Write(folder.File("a.png"), 21, 19, seed: 5));

        var counts = new List<long>();
        float[] vector = [];
        for (int i = 0; i < 6; i++)
        {
            vector = embedder.Embed(image);
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        Assert.All(counts, c => Assert.Equal(counts[0], c));

        Assert.Equal(model.NumFeatures, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 1e-5);
        using var pixels = preprocessing.ResizeAndCrop(image).ToTensor().unsqueeze(0);
        using var input = preprocessing.Normalize(pixels, CPU);
        using (no_grad())
        {
            model.eval();
            using var pooled = model.Embed(input);
            var raw = pooled.data<float>().ToArray();
            double norm = Math.Sqrt(raw.Sum(v => (double)v * v));
            Assert.All(raw.Zip(vector), p => Assert.Equal(p.First / norm, p.Second, 1e-5));
        }
        Assert.Equal(ResNetSharp.Zoo.WeightsCache.FileDigest(weights), description.WeightsSha256);
    }
}
