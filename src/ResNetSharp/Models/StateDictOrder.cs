using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// A module's persistent state in PyTorch's order: each module's own parameters, then its own buffers,
/// then its children depth-first. TorchSharp's state_dict lists all parameters before all buffers;
/// the keys are the same, only the order differs.
/// </summary>
public static class StateDictOrder
{
    /// <summary>Name and tensor of every parameter and persistent buffer, in PyTorch's state_dict order.</summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> Entries(nn.Module module)
    {
        var entries = new List<(string, Tensor)>();
        Collect(module, "", entries);
        return entries;
    }

    private static void Collect(nn.Module module, string prefix, List<(string, Tensor)> entries)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
            entries.Add((prefix + name, parameter));
        foreach (var (name, buffer) in module.named_buffers(recurse: false, include_nonpersistent: false))
            entries.Add((prefix + name, buffer));
        foreach (var (name, child) in module.named_children())
            Collect(child, $"{prefix}{name}.", entries);
    }
}
