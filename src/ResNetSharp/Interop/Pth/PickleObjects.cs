namespace ResNetSharp.Interop.Pth;

/// <summary>A global (module.name) that the restricted unpickler allows; see <see cref="PthFile"/>.</summary>
/// <param name="Module">Python module, e.g. "torch._utils".</param>
/// <param name="Name">Attribute, e.g. "_rebuild_tensor_v2".</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A Python dict or OrderedDict: insertion-ordered, keys compared by value.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, object?> _index = new();
    private readonly List<object> _order = [];

    public IEnumerable<(object Key, object? Value)> Items => _order.Select(k => (k, _index[k]));

    public int Count => _order.Count;

    public void Set(object key, object? value)
    {
        if (!_index.ContainsKey(key))
            _order.Add(key);
        _index[key] = value;
    }

    public object? Get(string key) => _index.GetValueOrDefault(key);
}

/// <summary>A Python tuple; kept apart from lists so that rebuild arguments can be checked.</summary>
internal sealed record PickleTuple(IReadOnlyList<object?> Items);
