namespace ResNetSharp.Models;

/// <summary>Turns a <see cref="ResNetSpec"/> into a <see cref="NetworkPlan"/>; pure, allocates no tensors.</summary>
public static class NetworkPlanner
{
    /// <summary>Validates the spec and resolves every block's channels, stride and drop-path rate.</summary>
    public static NetworkPlan Plan(ResNetSpec spec)
    {
        spec.Validate();
        int totalBlocks = spec.Depths.Sum();
        int blockIndex = 0;
        int inChannels = spec.StemChannels;
        int stemReduction = spec.Stem == StemKind.Cifar ? 1 : 4;
        int reduction = stemReduction;
        var stages = new List<StagePlan>(spec.Depths.Length);

        for (int stage = 0; stage < spec.Depths.Length; stage++)
        {
            int planes = spec.Widths[stage];
            int outChannels = planes * spec.Expansion;
            int innerWidth = spec.Block == BlockKind.Basic
                ? planes
                : (int)Math.Floor(planes * (spec.BaseWidth / 64.0)) * spec.Groups;
            int stageStride = stage == 0 ? 1 : 2;
            reduction *= stageStride;
            string stageName = $"layer{stage + 1}";
            var blocks = new List<BlockPlan>(spec.Depths[stage]);

            for (int i = 0; i < spec.Depths[stage]; i++)
            {
                int stride = i == 0 ? stageStride : 1;
                bool projection = stride != 1 || inChannels != outChannels;
                double dropPath = totalBlocks > 1 ? spec.DropPathRate * blockIndex / (totalBlocks - 1) : 0;
                blocks.Add(new BlockPlan($"{stageName}.{i}", inChannels, innerWidth, outChannels, stride, projection, dropPath));
                inChannels = outChannels;
                blockIndex++;
            }
            stages.Add(new StagePlan(stageName, blocks, reduction));
        }
        return new NetworkPlan(spec, stemReduction, stages);
    }
}
