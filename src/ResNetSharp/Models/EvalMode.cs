using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// Puts a module and every submodule in eval mode until disposed, then gives each one back the mode it had:
/// the guard against the "forgot eval()" pitfall (BatchNorm using batch statistics, drop-path firing at
/// inference) that does not undo a caller's own choices, such as BatchNorms frozen in eval mode while the
/// rest trains. Inference helpers wrap their work in it: <c>using var _ = EvalMode.Enter(model);</c>.
/// </summary>
public sealed class EvalMode : IDisposable
{
    private readonly IReadOnlyList<(nn.Module Module, bool Training)> _modes;
    private bool _disposed;

    private EvalMode(IReadOnlyList<(nn.Module, bool)> modes) => _modes = modes;

    /// <summary>Records the mode of <paramref name="module"/> and of each submodule, then puts them all in eval mode.</summary>
    public static EvalMode Enter(nn.Module module)
    {
        var modes = new List<(nn.Module, bool)>();
        Record(module, modes);
        module.eval();
        return new EvalMode(modes);
    }

    /// <summary>Restores the recorded modes.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_modes.All(m => m.Training == _modes[0].Training))
        {
            _modes[0].Module.train(_modes[0].Training);
            return;
        }
        // train() recurses into children, so parents go first and each child then sets its own mode.
        foreach (var (module, training) in _modes)
            module.train(training);
    }

    private static void Record(nn.Module module, List<(nn.Module, bool)> modes)
    {
        modes.Add((module, module.training));
        foreach (var (_, child) in module.named_children())
            Record(child, modes);
    }
}
