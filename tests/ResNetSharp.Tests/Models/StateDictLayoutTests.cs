using System.Text.Json;
using ResNetSharp.Models;

namespace ResNetSharp.Tests.Models;

public class StateDictLayoutTests
{
    private static readonly string[] TorchvisionArchitectures =
    [
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "wide_resnet101_2",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
    ];

    private static List<(string Key, long[] Shape)> Layout(ResNet model) =>
        StateDictOrder.Entries(model).Select(e => (e.Name, e.Tensor.shape)).ToList();

    [Fact]
    public void EveryTorchvisionArchitectureHasTorchvisionsExactKeysShapesAndOrder()
    {
        var reference = JsonSerializer.Deserialize<Dictionary<string, List<JsonElement[]>>>(
            ReferencePython.Run("torchvision_state_dicts.py", TorchvisionArchitectures))!;
        foreach (var arch in TorchvisionArchitectures)
        {
            using var model = ModelCatalog.Create(arch);
            var ours = Layout(model).Select(e => $"{e.Key} [{string.Join(",", e.Shape)}]").ToList();
            var theirs = reference[arch]
                .Select(e => $"{e[0].GetString()} [{string.Join(",", e[1].EnumerateArray().Select(d => d.GetInt64()))}]")
                .ToList();
            Assert.True(theirs.SequenceEqual(ours),
                $"{arch}: first difference at {FirstDifference(theirs, ours)}");
        }
    }

    private static string FirstDifference(List<string> expected, List<string> actual)
    {
        for (int i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            string e = i < expected.Count ? expected[i] : "<none>", a = i < actual.Count ? actual[i] : "<none>";
            if (e != a)
                return $"entry {i}: torchvision {e}, ours {a}";
        }
        return "none";
    }

    [Fact]
    public void Resnet18HasTheTorchvisionEntryCount()
    {
        using var model = ModelCatalog.Create("resnet18");
        var keys = StateDictOrder.Entries(model).Select(e => e.Name).ToList();
        Assert.Equal(122, keys.Count);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"], keys.Take(6));
        Assert.Contains("layer2.0.downsample.0.weight", keys);
        Assert.Equal(["fc.weight", "fc.bias"], keys.TakeLast(2));
    }

    [Fact]
    public void Resnet50dHasTimmDeepStemAndAveragePoolShortcutKeys()
    {
        using var model = ModelCatalog.Create("resnet50d");
        var layout = Layout(model).ToDictionary(e => e.Key, e => e.Shape);
        Assert.Equal([32, 3, 3, 3], layout["conv1.0.weight"]);
        Assert.Equal([32], layout["conv1.1.weight"]);
        Assert.Equal([32, 32, 3, 3], layout["conv1.3.weight"]);
        Assert.Equal([32], layout["conv1.4.running_var"]);
        Assert.Equal([64, 32, 3, 3], layout["conv1.6.weight"]);
        Assert.Equal([64], layout["bn1.weight"]);
        Assert.Equal([256, 64, 1, 1], layout["layer1.0.downsample.1.weight"]);
        Assert.Equal([512], layout["layer2.0.downsample.2.running_mean"]);
        Assert.DoesNotContain(layout.Keys, k => k.Contains("downsample.0."));
    }

    [Fact]
    public void Seresnet50HasTimmSqueezeExcitationKeysBeforeTheShortcut()
    {
        using var model = ModelCatalog.Create("seresnet50");
        var keys = StateDictOrder.Entries(model).Select(e => e.Name).ToList();
        var layout = Layout(model).ToDictionary(e => e.Key, e => e.Shape);
        Assert.Equal([16, 256, 1, 1], layout["layer1.0.se.fc1.weight"]);
        Assert.Equal([16], layout["layer1.0.se.fc1.bias"]);
        Assert.Equal([2048, 128, 1, 1], layout["layer4.2.se.fc2.weight"]);
        Assert.True(keys.IndexOf("layer1.0.se.fc2.bias") < keys.IndexOf("layer1.0.downsample.0.weight"));
    }
}

public class StateDictOrderTests
{
    [Fact]
    public void OrderedEntriesHoldExactlyTheStateDict()
    {
        using var model = ModelCatalog.Create("resnet50d");
        var ordered = StateDictOrder.Entries(model).Select(e => e.Name).Order().ToList();
        var stateDict = model.state_dict().Keys.Order().ToList();
        Assert.Equal(stateDict, ordered);
    }
}
