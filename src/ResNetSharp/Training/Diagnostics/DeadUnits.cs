using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Dead units of a catalog ResNet's stem and stages on one batch. A channel of a part's output is dead when it
/// is zero after the activation at every position of every image of the batch: no input of the batch makes it
/// fire, so it passes no gradient. The output measured is the stem's (after its activation and pooling) and each
/// stage's (its last block's output); pre-activation stages end in a sum without activation, so theirs is
/// measured after a ReLU, as the next block's activation would see it before its norm.
/// </summary>
public static class DeadUnits
{
    /// <summary>Per part (stem, layer1…): the fraction of dead channels and the fraction of zero activations over <paramref name="input"/>, a prepared (normalised) batch.</summary>
    public static IReadOnlyDictionary<string, (double Dead, double Zero)> Measure(Models.ResNet network, Tensor input)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var mode = Models.EvalMode.Enter(network);
        var outputs = new List<(string Part, Tensor Output)> { ("stem", network.ForwardStem(input)) };
        var stages = network.ForwardStages(input);
        outputs.AddRange(network.Plan.Stages.Select((s, i) => (s.Name, stages[i])));
        var fractions = new List<Tensor>();
        foreach (var (_, output) in outputs)
        {
            var fires = output.to(ScalarType.Float32).gt(0);
            var channelFires = fires.any(0).flatten(1).any(1);       // (C): fires somewhere in the batch
            fractions.Add(channelFires.logical_not().to(ScalarType.Float64).mean());
            fractions.Add(fires.logical_not().to(ScalarType.Float64).mean());
        }
        var values = stack(fractions).cpu().data<double>().ToArray(); // one read-back for all parts
        return outputs.Select((o, i) => (o.Part, values[2 * i], values[2 * i + 1]))
            .ToDictionary(x => x.Part, x => (x.Item2, x.Item3), StringComparer.Ordinal);
    }
}
