using ResNetSharp.Interop.Pth;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>
/// Copies named tensors into a model. Everything is checked first and copied after, so a load that
/// fails leaves the model exactly as it was. dtypes are converted to the model's; devices too.
/// </summary>
public static class WeightLoader
{
    /// <summary>
    /// Loads <paramref name="tensors"/> into <paramref name="model"/>. Names are mapped first (a
    /// "module." prefix from DataParallel is dropped). Strict (the default): any missing, unexpected or
    /// mismatched name throws <see cref="WeightLoadException"/> and nothing is copied. Non-strict: the
    /// matching tensors are copied and the rest is reported.
    /// </summary>
    public static WeightLoadReport Load(nn.Module model, IEnumerable<(string Name, Tensor Tensor)> tensors, string source, bool strict = true)
    {
        var incoming = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
            if (!incoming.TryAdd(MapName(name), tensor))
                throw new FormatException($"{source}: '{MapName(name)}' appears twice after name mapping.");
        var report = Match(model, incoming.Select(kv => (kv.Key, kv.Value.shape)), source);
        if (strict && !report.IsExact)
            throw new WeightLoadException(source, report);

        var targets = StateDictOrder.Entries(model).ToDictionary(e => e.Name, e => e.Tensor, StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var name in report.Loaded)
            targets[name].copy_(incoming[name]);
        return report;
    }

    /// <summary>
    /// What loading tensors of these names and shapes into <paramref name="model"/> would load, miss and
    /// mismatch, without any tensor data: a strict load can be refused before a file's data is read.
    /// </summary>
    public static WeightLoadReport Match(nn.Module model, IEnumerable<(string Name, long[] Shape)> shapes, string source)
    {
        var targets = StateDictOrder.Entries(model).ToDictionary(e => e.Name, e => e.Tensor.shape, StringComparer.Ordinal);
        var incoming = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (name, shape) in shapes)
            if (!incoming.TryAdd(MapName(name), shape))
                throw new FormatException($"{source}: '{MapName(name)}' appears twice after name mapping.");
        var loaded = new List<string>();
        var mismatches = new List<ShapeMismatch>();
        foreach (var (name, target) in targets)
        {
            if (!incoming.TryGetValue(name, out var found))
                continue;
            if (!target.SequenceEqual(found))
                mismatches.Add(new ShapeMismatch(name, target, found));
            else
                loaded.Add(name);
        }
        return new WeightLoadReport(
            loaded,
            targets.Keys.Where(k => !incoming.ContainsKey(k)).ToList(),
            incoming.Keys.Where(k => !targets.ContainsKey(k)).ToList(),
            mismatches);
    }

    /// <summary>
    /// Loads a weights file (safetensors or a torch.save .pth) into a model; see <see cref="Load(nn.Module, IEnumerable{ValueTuple{string, Tensor}}, string, bool)"/>.
    /// What the file may cost is bounded by the model: a strict load of safetensors is checked against the
    /// header before any data is read, and a .pth file is read within <see cref="LimitsFor"/>.
    /// </summary>
    public static WeightLoadReport LoadFile(nn.Module model, string path, bool strict = true)
    {
        if (strict && WeightFile.Detect(path) == WeightFile.Format.Safetensors)
        {
            var header = SafetensorsFile.ReadHeader(path);
            var expected = Match(model, header.Entries.Select(e => (e.Name, e.Shape)), path);
            if (!expected.IsExact)
                throw new WeightLoadException(path, expected);
        }
        var (tensors, _) = WeightFile.Load(path, LimitsFor(model));
        try
        {
            return Load(model, tensors, path, strict);
        }
        finally
        {
            foreach (var (_, tensor) in tensors)
                tensor.Dispose();
        }
    }

    /// <summary>What reading a .pth file for <paramref name="model"/> may cost: <see cref="PthLoadLimits.ForModelBytes"/> of its state.</summary>
    public static PthLoadLimits LimitsFor(nn.Module model) =>
        PthLoadLimits.ForModelBytes(StateDictOrder.Entries(model).Sum(e => e.Tensor.numel() * e.Tensor.ElementSize));

    /// <summary>The model's name for a file's tensor name: DataParallel's "module." prefix is dropped.</summary>
    public static string MapName(string name) =>
        name.StartsWith("module.", StringComparison.Ordinal) ? name["module.".Length..] : name;

    /// <summary>Throws when two tensors share a name, so a writer never emits an ambiguous file.</summary>
    internal static void RequireUniqueNames(IEnumerable<string> names, string path)
    {
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Tensor name '{duplicate.Key}' given twice for {path}.", "tensors");
    }
}
