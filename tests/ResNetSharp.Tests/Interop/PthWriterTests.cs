using ResNetSharp.Interop;
using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class PthWriterTests
{
    [Fact]
    public void PyTorchLoadsOurPthWithWeightsOnlyAndGetsTheSameTensors()
    {
        using var folder = new TemporaryFolder();
        using var model = ModelCatalog.Create("resnet18", numClasses: 7);
        string pth = folder.File("ours.pth");
        PthWriter.Save(pth, StateDictOrder.Entries(model));

        string count = ReferencePython.Run("torch_load.py", pth, folder.File("back.safetensors")).Trim();
        Assert.Equal("122", count);
        var (back, _) = SafetensorsFile.Load(folder.File("back.safetensors"));
        var ours = StateDictOrder.Entries(model).ToList();
        Assert.Equal(ours.Select(e => e.Name), back.Select(e => e.Name));
        foreach (var ((name, expected), (_, actual)) in ours.Zip(back))
        {
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.eq(actual).all().item<bool>(), name);
        }
    }

    [Fact]
    public void OurReaderReadsOurWriterIncludingOtherDTypes()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        var tensors = new (string, Tensor)[]
        {
            ("half", randn(3, 4).to(ScalarType.Float16)),
            ("bf16", randn(5).to(ScalarType.BFloat16)),
            ("long", arange(6L).reshape(2, 3)),
            ("bytes", tensor(new byte[] { 1, 2, 255 })),
            ("flag", tensor(new[] { true, false })),
            ("scalar", tensor(2.5)),
            ("empty", zeros(0, 3)),
        };
        string path = folder.File("mixed.pt");
        WeightFile.Save(path, tensors);
        Assert.Equal(WeightFile.Format.Pth, WeightFile.Detect(path));
        var read = PthFile.Load(path);
        Assert.Equal(tensors.Select(t => t.Item1), read.Select(t => t.Name));
        foreach (var ((name, expected), (_, actual)) in tensors.Zip(read))
        {
            Assert.Equal(expected.dtype, actual.dtype);
        {
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.eq(actual).all().item<bool>(), name);
        }
        }
    }
}
