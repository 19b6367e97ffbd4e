using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using SkiaSharp;
using static ResNetSharp.Tests.Reliability.HostileFiles;

namespace ResNetSharp.Tests.Reliability;

/// <summary>Inputs to predict that used to cost far more memory than they hold.</summary>
[Trait("Category", "Reliability")]
public class PredictInputTests
{
    private static readonly ResNetSpec Spec = TinySpec with { Widths = [16, 32], StemChannels = 16 };

    private static string Weights(TemporaryFolder folder) => ModelWeights(folder.File("w.safetensors"), Spec,
        WeightsModel.Describe(new ModelCard("tiny", ["a", "b", "c"], 3, ImagePreprocessing.ForCrop(16)).ToMetadata(), "tiny", Spec));

    [Fact]
    public void ABigArrayRunsInBatchesWithTheSameLogitsAsOneRowAtATime()
    {
        using var folder = new TemporaryFolder();
        string weights = Weights(folder);
        const int Rows = 1000;
        var random = new Random(5);
        var values = Enumerable.Range(0, Rows * 3 * 16 * 16).Select(_ => (float)random.NextDouble()).ToArray();
        NpyFile.WriteFloat32Array(folder.File("all.npy"), values, [Rows, 3, 16, 16]);
        NpyFile.WriteFloat32Array(folder.File("one.npy"), values[(3 * 16 * 16 * 567)..(3 * 16 * 16 * 568)], [1, 3, 16, 16]);

        ProcessMemory.ResetPeak();
        long before = ProcessMemory.Resident();
        var (code, output, error) = SummaryCommandTests.Run("predict", "--weights", weights, "--json", folder.File("all.npy"));
        long growth = ProcessMemory.PeakResident() - before;
        Assert.True(code == 0, error);
        // As one batch, the 1,000 images' activations take about 180 MB more.
        Assert.True(growth < 100L << 20, $"peak memory grew by {growth >> 20} MiB");

        var all = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.Equal(Rows, all.GetProperty("logits").GetArrayLength());
        var one = System.Text.Json.JsonDocument.Parse(SummaryCommandTests.Run("predict", "--weights", weights, "--json", folder.File("one.npy")).Output).RootElement;
        var expected = one.GetProperty("logits")[0].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var actual = all.GetProperty("logits")[567].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-5f * Math.Max(1, Math.Abs(expected[i]))); // batch size changes the kernels' summation order only
        Assert.Equal($"{folder.File("all.npy")}[567]", all.GetProperty("inputs")[567].GetString());
        ReliabilityLog.Record("memory", "predict", "a .npy array of 1,000 images", 1, $"ok: run in batches of 64; peak memory +{growth >> 20} MiB");
    }

    [Fact]
    public void AOneByHundredThousandPngIsClassifiedFromItsCentre()
    {
        using var folder = new TemporaryFolder();
        string weights = Weights(folder);
        string strip = folder.File("strip.png");
        using (var bitmap = new SKBitmap(new SKImageInfo(100_000, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            for (int x = 0; x < bitmap.Width; x++)
                bitmap.SetPixel(x, 0, new SKColor((byte)x, (byte)(x >> 8), 128));
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(strip, data.ToArray());
        }
        ProcessMemory.ResetPeak();
        long before = ProcessMemory.Resident();
        var (code, output, error) = SummaryCommandTests.Run("predict", "--weights", weights, strip);
        long growth = ProcessMemory.PeakResident() - before;
        Assert.True(code == 0, error);
        Assert.StartsWith($"{strip}: ", output);
        Assert.True(growth < 128L << 20, $"peak memory grew by {growth >> 20} MiB");
        ReliabilityLog.Record("memory", "predict", "a 1x100000 PNG", 1, $"ok: only the centre crop is resized; peak memory +{growth >> 20} MiB");
    }
}
