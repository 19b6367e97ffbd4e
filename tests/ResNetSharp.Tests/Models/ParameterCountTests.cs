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

    // The CPU recipe's network, counted by hand: stem 3·8·9 + 16; layer1 2·(8·8·9 + 16); layer2 8·16·9 + 16·16·9
    // + 8·16 + 3·32; layer3 and layer4 alike at 16→32 and 32→64; fc 64·10 + 10: 232 + 1,184 + 3,680 + 14,528 + 57,728 + 650.
    [Fact]
    public void TheCpuRecipeNetworkHasItsHandCountedParameters()
    {
        using var model = ModelCatalog.Create("resnet10_cifar_w8");
        Assert.Equal(78_002, model.CountParameters());
    }

    // He et al. 2016's CIFAR networks with option-A shortcuts, 10 classes: 0.27M ... 1.7M in the paper's
    // Table 6; exact figures as the PyTorch reference (Reference/paper_resnets.py) counts them. Option B
    // (1x1 projections) would add 2,752 (272,474 for ResNet-20); the plain twins have exactly the same layers.
    [Theory]
    [InlineData("resnet20", 269_722)]
    [InlineData("resnet32", 464_154)]
    [InlineData("resnet44", 658_586)]
    [InlineData("resnet56", 853_018)]
    [InlineData("resnet110", 1_727_962)]
    [InlineData("plain20", 269_722)]
    [InlineData("plain110", 1_727_962)]
    public void CifarPaperNetworksHaveThePapersParameterCounts(string name, long expected)
    {
        using var model = ModelCatalog.Create(name);
        Assert.Equal(expected, model.CountParameters());
    }

    // timm's resnetv2_18 / 34 / 50 (11.69M, 21.80M, 25.55M): pre-activation blocks, no stem norm,
    // projections without norm, one final norm.
    [Theory]
    [InlineData("preact_resnet18", 11_687_720)]
    [InlineData("preact_resnet34", 21_795_880)]
    [InlineData("preact_resnet50", 25_549_352)]
    [InlineData("preact_resnet18_cifar", 11_172_170)]
    public void PreActivationNetworksHaveTimmsParameterCounts(string name, long expected)
    {
        using var model = ModelCatalog.Create(name);
        Assert.Equal(expected, model.CountParameters());
    }
}
