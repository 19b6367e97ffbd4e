using ResNetSharp.Imaging;
using ResNetSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Extensibility.Tests;

/// <summary>A backbone of our own: two convolutions and a global average pool, images to 8 features.</summary>
public sealed class TinyBackbone : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 8, 3, padding: 1);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(8);
    private readonly Conv2d conv2 = nn.Conv2d(8, 8, 3, stride: 2, padding: 1);

    public TinyBackbone() : base(nameof(TinyBackbone)) => RegisterComponents();

    public const int Features = 8;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.call(conv1.call(x)));
        return nn.functional.relu(conv2.call(y)).mean([2, 3]).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A head of our own with a loss of our own: one value per image trained with the pinball (quantile) loss at
/// τ = 0.5, skipping NaN targets, and a metric of our own (the mean pinball loss).
/// </summary>
public sealed class PinballHead(string name, double tau = 0.5) : TaskHead(name)
{
    public override int Outputs => 1;

    public override nn.Module<Tensor, Tensor> CreateModule(int features) => nn.Linear(features, 1);

    public override Tensor Loss(Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var labelled = targets.isnan().logical_not().to(ScalarType.Float32);
        var error = targets.nan_to_num(0).sub(outputs);
        var pinball = maximum(error.mul(tau), error.mul(tau - 1)).mul(labelled);
        return pinball.sum().div(labelled.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    public override HeadMetrics CreateMetrics(Device device) => new PinballMetrics(this, device);

    public override HeadDescription Describe() => new(Name, "pinball", Outputs);
}

public sealed record PinballResult(long Samples, double Loss) : HeadResult(Samples, Loss)
{
    public override IReadOnlyList<Metric> Metrics => [new("pinball", Loss, HigherIsBetter: false)];
}

public sealed class PinballMetrics(PinballHead head, Device device) : HeadMetrics
{
    private readonly Tensor _sum = zeros([], ScalarType.Float64, device);
    private readonly Tensor _count = zeros([], ScalarType.Float64, device);

    public override void Add(Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var labelled = targets.isnan().logical_not().sum().to(ScalarType.Float64);
        _sum.add_(head.Loss(outputs, targets).to(ScalarType.Float64).mul(labelled));
        _count.add_(labelled);
    }

    public override HeadResult Result()
    {
        double count = _count.item<double>();
        return new PinballResult((long)count, count > 0 ? _sum.item<double>() / count : double.NaN);
    }

    public override void Dispose()
    {
        _sum.Dispose();
        _count.Dispose();
    }
}

/// <summary>
/// A dataset of our own, made on the fly: 16x16 images of one coloured disc on black; labels "radius" (its
/// radius in pixels; every fourth one unlabelled) and "colour" (red, green or blue).
/// </summary>
public sealed class DiscImages(int count, int seed) : LabelledImageSet
{
    public static readonly string[] Colours = ["red", "green", "blue"];

    private readonly (int Radius, int Colour, int X, int Y)[] _discs = Enumerable.Range(0, count).Select(i =>
    {
        var random = new Random(seed * 100_003 + i);
        int radius = random.Next(2, 7);
        return (radius, random.Next(3), random.Next(radius, 16 - radius), random.Next(radius, 16 - radius));
    }).ToArray();

    /// <summary>Batches read so far, for tests that watch how far a pass went.</summary>
    public int BatchesRead { get; private set; }

    /// <summary>Called before each batch is read.</summary>
    public Action<int>? BeforeBatch { get; set; }

    public override long Count => count;
    public override (int Channels, int Height, int Width) ImageShape => (3, 16, 16);
    public override IReadOnlyList<double> Mean => [0.1, 0.1, 0.1];
    public override IReadOnlyList<double> Std => [0.3, 0.3, 0.3];
    public override string Source => $"{count} generated discs";
    public override IReadOnlyList<LabelColumn> Columns => [LabelColumn.Values("radius"), LabelColumn.Classes("colour", Colours)];

    public override Tensor Targets(string column)
    {
        if (column == "colour")
            return tensor(_discs.Select(d => (long)d.Colour).ToArray());
        using var radii = tensor(_discs.Select((d, i) => i % 4 == 3 ? float.NaN : d.Radius).ToArray());
        return column == "radius" ? radii.view(-1, 1) : throw new KeyNotFoundException(column);
    }

    public override Tensor ReadImages(long[] indices, Device device)
    {
        BeforeBatch?.Invoke(BatchesRead);
        BatchesRead++;
        var pixels = new byte[indices.Length * 3 * 16 * 16];
        for (int n = 0; n < indices.Length; n++)
        {
            var (radius, colour, cx, cy) = _discs[indices[n]];
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius)
                        pixels[((n * 3 + colour) * 16 + y) * 16 + x] = 220;
        }
        using var cpu = tensor(pixels, [indices.Length, 3, 16, 16]);
        return cpu.to(device);
    }
}

/// <summary>An optimiser of our own: plain gradient descent, no state.</summary>
public sealed class PlainGradientDescent(IEnumerable<(string Name, Tensor Parameter)> parameters) : Optimizer(parameters, 0, false)
{
    protected override IReadOnlyList<string> StateBuffers => [];

    protected override void Update(Tensor parameter, Tensor grad, Func<string, Tensor> state, Tensor? scratch, double weightDecay, double learningRate) =>
        parameter.add_(grad, -learningRate);
}
