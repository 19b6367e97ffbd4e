using ResNetSharp.Models;

namespace ResNetSharp.Analysis;

/// <summary>One row of a model summary: the stem, a stage, a block or the head.</summary>
/// <param name="Name">State-dict prefix ("stem" for conv1/bn1, "layer2", "layer2.0", "fc").</param>
/// <param name="Kind">What it is: Stem, Stage, a block (BasicBlock, PreActBottleneckBlock, ...), Norm, Head.</param>
/// <param name="OutputShape">Shape of one sample's output, (C, H, W) or (classes).</param>
/// <param name="Parameters">Parameter elements it holds.</param>
/// <param name="Macs">Multiply-accumulates for one sample (convolutions and linear layers).</param>
/// <param name="Blocks">For a stage, its blocks; empty otherwise.</param>
public sealed record SummaryRow(
    string Name, string Kind, IReadOnlyList<int> OutputShape, long Parameters, long Macs, IReadOnlyList<SummaryRow> Blocks);

/// <summary>What a network costs at one input size: shapes, parameters and multiply-accumulates per stage.</summary>
/// <param name="Model">Catalog name or a description of the spec.</param>
/// <param name="Input">Input shape of one sample (C, H, W).</param>
/// <param name="Parameters">All parameter elements.</param>
/// <param name="TrainableParameters">Parameter elements that receive gradients.</param>
/// <param name="Macs">Multiply-accumulates for one sample.</param>
/// <param name="Stages">Stem, stages (with their blocks) and head, in order.</param>
public sealed record ModelSummary(
    string Model, IReadOnlyList<int> Input, long Parameters, long TrainableParameters, long Macs, IReadOnlyList<SummaryRow> Stages)
{
    /// <summary>
    /// Summarises <paramref name="model"/> for inputs of <paramref name="height"/> x <paramref name="width"/>.
    /// Shapes and MACs come from the plan (no forward pass); parameters from the model itself.
    /// </summary>
    public static ModelSummary Create(string name, ResNet model, int height, int width)
    {
        var spec = model.Spec;
        if (height < model.MinimumInputSize || width < model.MinimumInputSize)
            throw new ArgumentException(
                $"Input {height}x{width} is too small for {name}: at least {model.MinimumInputSize}x{model.MinimumInputSize} (its total stride).");
        var parameters = model.named_parameters().Select(p => (p.name, Count: p.parameter.numel())).ToList();
        long ParametersUnder(Func<string, bool> owns) => parameters.Where(p => owns(p.name)).Sum(p => p.Count);
        long ParametersOf(string prefix) => ParametersUnder(n => n.StartsWith(prefix + ".", StringComparison.Ordinal));

        var rows = new List<SummaryRow>();
        var (h, w, stemMacs) = ModelComplexity.Stem(spec, height, width);
        rows.Add(new SummaryRow("stem", "Stem", [spec.StemChannels, h, w],
            ParametersUnder(n => ResNet.PartOf(n) == "stem"), stemMacs, []));

        foreach (var stage in model.Plan.Stages)
        {
            var blockRows = new List<SummaryRow>();
            foreach (var block in stage.Blocks)
            {
                var (outH, outW, macs) = ModelComplexity.Block(spec, block, h, w);
                (h, w) = (outH, outW);
                blockRows.Add(new SummaryRow(block.Name, BlockKinds.DisplayName(spec.Block, block.Order),
                    [block.OutChannels, h, w], ParametersOf(block.Name), macs, []));
            }
            rows.Add(new SummaryRow(stage.Name, "Stage", [stage.OutChannels, h, w],
                ParametersOf(stage.Name), blockRows.Sum(b => b.Macs), blockRows));
        }

        if (model.Plan.NormBeforeHead)
            rows.Add(new SummaryRow(NetworkPlan.HeadNormName, "Norm", [model.NumFeatures, h, w], ParametersOf(NetworkPlan.HeadNormName), 0, []));

        int outputs = model.NumClasses > 0 ? model.NumClasses : model.NumFeatures;
        rows.Add(new SummaryRow(model.NumClasses > 0 ? "fc" : "pool", "Head", [outputs],
            ParametersOf("fc"), ModelComplexity.Head(model.NumFeatures, model.NumClasses), []));

        return new ModelSummary(name, [spec.InChannels, height, width],
            model.CountParameters(), model.CountParameters(trainableOnly: true), rows.Sum(r => r.Macs), rows);
    }
}
