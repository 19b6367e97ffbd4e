using ResNetSharp.Models;

namespace ResNetSharp.Tests.Models;

public class ParameterCountTests
{
    // torchvision's published num_params, and timm's for seresnet50 / resnet50d.
    [Theory]
    [InlineData("resnet18", 11_689_512)]
    [InlineData("resnet34", 21_797_672)]
    [InlineData("resnet50", 25_557_032)]
    [InlineData("resnet101", 44_549_160)]
    [InlineData("resnet152", 60_192_808)]
    [InlineData("wide_resnet50_2", 68_883_240)]
    [InlineData("wide_resnet101_2", 126_886_696)]
    [InlineData("resnext50_32x4d", 25_028_904)]
    [InlineData("resnext101_32x8d", 88_791_336)]
    [InlineData("resnext101_64x4d", 83_455_272)]
    [InlineData("seresnet50", 28_088_024)]
    [InlineData("resnet50d", 25_576_264)]
    public void CatalogEntryHasReferenceParameterCount(string name, long expected)
    {
        using var model = ModelCatalog.Create(name);
        Assert.Equal(expected, model.CountParameters());
    }

    [Theory]
    [InlineData("resnet18_cifar", 11_173_962)]
    [InlineData("resnet34_cifar", 21_282_122)]
    public void CifarVariantsMatchTheCommonTenClassReference(string name, long expected)
    {
        using var model = ModelCatalog.Create(name);
        Assert.Equal(expected, model.CountParameters());
    }
}
