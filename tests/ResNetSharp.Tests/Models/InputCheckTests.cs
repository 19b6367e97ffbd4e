using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class InputCheckTests
{
    private static string ErrorFor(string model, Tensor input)
    {
        using var network = ModelCatalog.Create(model);
        using (input)
            return Assert.Throws<ArgumentException>(() => network.call(input)).Message;
    }

    [Fact]
    public void WrongRankNamesTheExpectedLayoutAndTheShapeGiven()
    {
        string message = ErrorFor("resnet18", randn(3, 224, 224));
        Assert.Contains("(N, 3, H, W)", message);
        Assert.Contains("(3, 224, 224)", message);
    }

    [Fact]
    public void WrongChannelCountIsReported()
    {
        string message = ErrorFor("resnet18", randn(2, 1, 64, 64));
        Assert.Contains("3 channel(s)", message);
        Assert.Contains("got 1", message);
    }

    [Fact]
    public void TooSmallImagesNameTheNetworkStride()
    {
        Assert.Contains("stride 32", ErrorFor("resnet50", randn(1, 3, 31, 64)));
        Assert.Contains("stride 8", ErrorFor("resnet18_cifar", randn(1, 3, 7, 7)));
    }

    [Fact]
    public void IntegerImagesAreRefused()
    {
        Assert.Contains("floating point", ErrorFor("resnet18_cifar", zeros([1, 3, 32, 32], ScalarType.Byte)));
    }

    [Fact]
    public void AnyLargeEnoughSizeWorks()
    {
        using var model = ModelCatalog.Create("resnet18", numClasses: 4);
        model.eval();
        using var scope = NewDisposeScope();
        Assert.Equal([1L, 4L], model.call(randn(1, 3, 32, 32)).shape);
        Assert.Equal([1L, 4L], model.call(randn(1, 3, 97, 131)).shape);
    }
}
