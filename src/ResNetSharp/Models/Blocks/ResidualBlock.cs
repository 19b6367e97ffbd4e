using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// What every residual block shares: out = act(drop_path(se(branch(x))) + shortcut(x)).
/// Subclasses build the branch; submodules are registered explicitly, in torchvision's key order.
/// </summary>
public abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly ActivationKind _activation;
    private SqueezeExcitation? _squeezeExcitation;
    private Sequential? _downsample;

    /// <summary>The plan this block was built from: channels, stride and drop-path rate.</summary>
    public BlockPlan Plan { get; }

    /// <summary>Creates the block's shared parts; the subclass registers its branch, then calls <see cref="RegisterTail"/>.</summary>
    protected ResidualBlock(string name, BlockPlan plan, ActivationKind activation) : base(name)
    {
        Plan = plan;
        _activation = activation;
    }

    /// <summary>The norm at the end of the residual branch: zeroing it makes the block start as the identity.</summary>
    protected abstract BatchNorm2d LastNorm { get; }

    /// <summary>The residual branch up to and including its last norm, before SE and drop-path.</summary>
    protected abstract Tensor ResidualBranch(Tensor x);

    /// <summary>The activation the block uses, for subclasses.</summary>
    protected Tensor Activate(Tensor x) => Activations.Apply(_activation, x, inplace: true);

    /// <summary>Registers the optional SE module ("se") and projection shortcut ("downsample") after the branch.</summary>
    protected void RegisterTail(ResNetSpec spec)
    {
        if (spec.SqueezeExcitationRatio > 0)
        {
            _squeezeExcitation = new SqueezeExcitation(Plan.OutChannels, spec.SqueezeExcitationRatio);
            register_module("se", _squeezeExcitation);
        }
        if (Plan.HasShortcutProjection)
        {
            _downsample = Shortcut.Create(spec.Shortcut, Plan.InChannels, Plan.OutChannels, Plan.Stride);
            register_module("downsample", _downsample);
        }
    }

    /// <summary>Sets the last norm's scale to zero (the block then starts as the identity map).</summary>
    public void ZeroInitLastNorm()
    {
        using var _ = no_grad();
        LastNorm.weight!.fill_(0);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = ResidualBranch(x);
        if (_squeezeExcitation is not null)
            y = FeatureMaps.Then(y, _squeezeExcitation.call(y));
        y = FeatureMaps.Then(y, StochasticDepth.Apply(y, Plan.DropPathRate, training));
        if (_downsample is null)
            return Activate(y.add_(x)).MoveToOuterDisposeScope();
        var shortcut = InputDtype.Run(_downsample, x);
        return Activate(FeatureMaps.Then(shortcut, y.add_(shortcut))).MoveToOuterDisposeScope();
    }

    /// <summary>Submodules are registered explicitly in the constructors, in key order; no reflection.</summary>
    protected override void RegisterComponents() { }
}
