using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using ResNetSharp.Tests.Cli;
using ResNetSharp.Tests.Data;

namespace ResNetSharp.Tests.Inference;

/// <summary>The libtorch-free inference library and <c>resnet predict --onnx</c>.</summary>
public class OnnxClassifierTests
{
    private sealed class Fixture : IDisposable
    {
        public TemporaryFolder Folder { get; } = new();
        public string Spec => Folder.File("tiny.json");
        public string Weights => Folder.File("tiny.pth");
        public string Onnx => Folder.File("tiny.onnx");
        public string Image => Folder.File("photo.png");

        public Fixture()
        {
            File.WriteAllText(Spec, """
                {"block": "basic", "depths": [1, 1], "widths": [8, 16], "stemChannels": 8, "stem": "cifar", "numClasses": 3}
                """);
            using (var model = new ResNet(ResNetSpecJson.Load(Spec)))
                PthWriter.Save(Weights, StateDictOrder.Entries(model));
            File.WriteAllLines(Folder.File("names.txt"), ["ant", "bee", "cow"]);
            var (code, _, error) = SummaryCommandTests.Run("export", "--model", Spec, "--weights", Weights, "--image-size", "24",
                "--class-names", Folder.File("names.txt"), "--device", "cpu", "-o", Onnx);
            Assert.True(code == 0, error);
            TestImages.Write(Image, 37, 51, seed: 5);
        }

        public void Dispose() => Folder.Dispose();
    }

    [Fact]
    public void TheLibraryDependsOnNeitherTorchSharpNorTheTrainingLibrary()
    {
        var seen = new HashSet<string>();
        var pending = new Queue<System.Reflection.Assembly>([typeof(OnnxClassifier).Assembly]);
        while (pending.Count > 0)
            foreach (var reference in pending.Dequeue().GetReferencedAssemblies())
                if (reference.Name!.StartsWith("ResNetSharp") || reference.Name.StartsWith("TorchSharp"))
                    if (seen.Add(reference.Name))
                        pending.Enqueue(System.Reflection.Assembly.Load(reference));
        Assert.Equal(["ResNetSharp.Imaging"], seen.Order());
    }

    [Fact]
    public void ClassifierReadsTheExportMetadataAndMatchesTorchSharpPredictions()
    {
        using var fixture = new Fixture();
        using var classifier = OnnxClassifier.Open(fixture.Onnx);
        Assert.Equal(["ant", "bee", "cow"], classifier.ClassNames);
        Assert.Equal(24, classifier.Preprocessing.CropTo);
        Assert.Equal(3, classifier.InChannels);

        var (code, output, error) = SummaryCommandTests.Run("predict", "--model", fixture.Spec, "--weights", fixture.Weights,
            "--image-size", "24", "--device", "cpu", "--json", fixture.Image);
        Assert.True(code == 0, error);
        var expected = JsonDocument.Parse(output).RootElement.GetProperty("logits")[0].EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var actual = classifier.ClassifyFiles([fixture.Image])[0];
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"class {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public async Task PredictOnnxRunsWithoutLoadingLibtorch()
    {
        using var fixture = new Fixture();
        // glibc's loader reports every shared library it initialises
        var (code, stdout, stderr) = await CliProcess.RunAsync(["predict", "--onnx", fixture.Onnx, "--json", fixture.Image],
            new Dictionary<string, string> { ["LD_DEBUG"] = "libs" });
        Assert.True(code == 0, stderr);

        var loaded = stderr.Split('\n').Where(line => line.Contains("calling init:")).ToList();
        Assert.Contains(loaded, line => line.Contains("libonnxruntime"));
        Assert.DoesNotContain(loaded, line => line.Contains("libtorch") || line.Contains("libc10") || line.Contains("LibTorchSharp"));
        var top = JsonDocument.Parse(stdout).RootElement.GetProperty("top")[0];
        Assert.Contains(top[0].GetProperty("name").GetString(), new[] { "ant", "bee", "cow" });
    }

    [Fact]
    public void CorruptAndIncompatibleFilesGetAnErrorNamingTheFile()
    {
        using var fixture = new Fixture();
        string Write(string name, byte[] bytes)
        {
            string path = fixture.Folder.File(name);
            File.WriteAllBytes(path, bytes);
            return path;
        }
        var good = File.ReadAllBytes(fixture.Onnx);
        string variants = fixture.Folder.File("variants");
        Directory.CreateDirectory(variants);
        ReferencePython.Run("onnx_variants.py", fixture.Onnx, variants);

        var cases = new (string Path, string Expected)[]
        {
            (Write("noise.onnx", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray()), "not a model ONNX Runtime can load"),
            (Write("truncated.onnx", good[..(good.Length / 2)]), "not a model ONNX Runtime can load"),
            (Write("empty.onnx", []), "not a model ONNX Runtime can load"),
            (Path.Combine(variants, "rank2.onnx"), "expected a float32 (N, C, H, W) tensor"),
            (Path.Combine(variants, "two_inputs.onnx"), "has 2 inputs"),
            (Path.Combine(variants, "bad_metadata.onnx"), "metadata \"class_names\" is malformed"),
            (Path.Combine(variants, "wrong_names.onnx"), "class_names has 4 names; the output has 3 classes"),
            (Path.Combine(variants, "missing_head.onnx"), "metadata describes head \"age\" but the graph has no output of that name; its outputs are \"logits\", \"embedding\""),
            (Path.Combine(variants, "bad_heads.onnx"), "metadata 'heads' is malformed"),
        };
        foreach (var (path, expected) in cases)
        {
            var error = Assert.Throws<OnnxModelException>(() => OnnxClassifier.Open(path).Dispose());
            Assert.StartsWith(path + ":", error.Message);
            Assert.Contains(expected, error.Message);

            var (code, _, cliError) = SummaryCommandTests.Run("predict", "--onnx", path, fixture.Image);
            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains(Path.GetFileName(path), cliError);
            Assert.DoesNotContain("   at ", cliError);
        }
    }

    [Fact]
    public void PredictOnnxRefusesTorchOptionsAndOnlyFixedSizeGraphsRefuseOtherSizes()
    {
        using var fixture = new Fixture();
        var (code, _, error) = SummaryCommandTests.Run("predict", "--onnx", fixture.Onnx, "--weights", fixture.Weights, fixture.Image);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("drop --weights", error);

        string npy = fixture.Folder.File("big.npy");
        NpyFile.WriteFloat32Array(npy, new float[3 * 32 * 32], [1, 3, 32, 32]);
        (code, _, error) = SummaryCommandTests.Run("predict", "--onnx", fixture.Onnx, npy);
        Assert.True(code == 0, error);

        string variants = fixture.Folder.File("variants");
        Directory.CreateDirectory(variants);
        ReferencePython.Run("onnx_variants.py", fixture.Onnx, variants);
        string fixedSize = Path.Combine(variants, "fixed_size.onnx");
        (code, _, error) = SummaryCommandTests.Run("predict", "--onnx", fixedSize, npy);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("takes 24x24 inputs; got 32x32", error);
        Assert.Contains("takes 24x24 inputs; got 40x40",
            Assert.Throws<ArgumentException>(() => OnnxClassifier.Open(fixedSize, imageSize: 40)).Message);
    }
}
