using System.Text.Json;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Tests.Analysis;
using SkiaSharp;

namespace ResNetSharp.Tests.Cli;

/// <summary>resnet explain on PNG files, with the colour-squares network of <see cref="GradCamTests"/> saved as a run would save it.</summary>
public sealed class ExplainCommandTests(GradCamTests.ColourSquares trained) : IClassFixture<GradCamTests.ColourSquares>, IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string SaveWeights()
    {
        string path = _folder.File("squares.safetensors");
        var card = new ModelCard("squares", ["red", "green"], 3, new ImagePreprocessing(0, 32, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]));
        SafetensorsFile.Save(path, StateDictOrder.Entries(trained.Model), WeightsModel.Describe(card.ToMetadata(), "squares", GradCamTests.ColourSquares.Spec));
        return path;
    }

    /// <summary>A 32x32 PNG of grey noise with a red (0) or green (1) square at <paramref name="corner"/>.</summary>
    private string Image(string name, (int X, int Y) corner, int colour, int seed)
    {
        var random = new Random(seed);
        var values = GradCamTests.ColourSquares.Noise(random, 1);
        GradCamTests.ColourSquares.Paint(values, 0, corner, colour);
        const int size = GradCamTests.ColourSquares.Size;
        var rgb = new byte[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < size * size; i++)
                rgb[3 * i + c] = (byte)Math.Round(values[c * size * size + i] * 255);
        string path = _folder.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, HeatMapOverlay.EncodePng(new DecodedImage(rgb, size, size)));
        return path;
    }

    [Fact]
    public void OverlaysAreWrittenForThePredictedClassWithThePeakOnItsSquare()
    {
        string weights = SaveWeights();
        (int X, int Y) red = (3, 20), green = (18, 4);
        string first = Image("a/sample.png", red, 0, 1), second = Image("b/sample.png", green, 1, 2);
        string output = _folder.File("out");

        var (code, stdout, stderr) = SummaryCommandTests.Run("explain", first, second, "--weights", weights, "-o", output, "--json");

        Assert.True(code == 0, stderr);
        var results = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(["red", "green"], results.Select(r => r.GetProperty("className").GetString()));
        foreach (var (result, corner) in results.Zip(new[] { red, green }))
        {
            var peak = result.GetProperty("peak").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            Assert.InRange(peak[0], corner.X - 2, corner.X + GradCamTests.ColourSquares.Square + 1);
            Assert.InRange(peak[1], corner.Y - 2, corner.Y + GradCamTests.ColourSquares.Square + 1);
            var overlay = ImageDecoder.Decode(result.GetProperty("output").GetString()!);
            Assert.Equal((32, 32), (overlay.Width, overlay.Height));
        }
        Assert.Equal(["sample-2.gradcam.png", "sample.gradcam.png"],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheClassCanBeGivenByNameAndTheTableNamesIt()
    {
        string weights = SaveWeights();
        string image = Image("red.png", (10, 10), 0, 3);

        var (code, stdout, stderr) = SummaryCommandTests.Run("explain", image, "--weights", weights, "-o", _folder.File("out"), "--class", "green", "--stage", "layer1");

        Assert.True(code == 0, stderr);
        Assert.Contains("red.png: green (", stdout);
        Assert.True(File.Exists(_folder.File("out/red.gradcam.png")));
    }

    [Theory]
    [InlineData("--class", "purple", "--class 'purple' is neither a class index nor a class name")]
    [InlineData("--class", "7", "--class 7 is out of range; the model has 2 classes")]
    [InlineData("--stage", "layer4", "--stage 'layer4' is not a stage of squares; expected one of layer1, layer2")]
    [InlineData("--opacity", "1.5", "--opacity must be between 0 and 1")]
    public void BadOptionsAreUsageErrorsThatNameTheOption(string option, string value, string message)
    {
        string weights = SaveWeights();
        string image = Image("red.png", (10, 10), 0, 3);

        var (code, _, stderr) = SummaryCommandTests.Run("explain", image, "--weights", weights, "-o", _folder.File("out"), option, value);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.False(File.Exists(_folder.File("out/red.gradcam.png")));
    }
}
