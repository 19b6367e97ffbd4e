using ResNetSharp.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// One residual block, built from its <see cref="BlockPlan"/>: the branch's convolutions and norms with
/// torchvision's keys (conv1, bn1, conv2, bn2[, conv3, bn3]), then "se" and the "downsample" projection.
/// <list type="bullet">
/// <item>Post-activation: out = act(drop_path(se(branch(x))) + shortcut(x)), the branch conv-BN-act ... conv-BN.</item>
/// <item>Pre-activation: p = act(bn1(x)); out = drop_path(se(branch(p))) + shortcut, the branch conv ... BN-act-conv;
/// a projection or zero-pad shortcut takes p, the identity takes x (He et al. 2016b, timm's resnetv2).</item>
/// </list>
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly ActivationKind _activation;
    private readonly Conv2d[] _convolutions;
    private readonly BatchNorm2d[] _norms;
    private readonly SqueezeExcitation? _squeezeExcitation;
    private readonly Sequential? _downsample;

    /// <summary>The plan this block was built from: convolutions, shortcut, stride and drop-path rate.</summary>
    public BlockPlan Plan { get; }

    /// <param name="plan">The block's convolutions, shortcut and drop-path rate.</param>
    /// <param name="spec">The network's spec, for the activation and squeeze-and-excitation.</param>
    public ResidualBlock(BlockPlan plan, ResNetSpec spec) : base(BlockKinds.DisplayName(spec.Block, plan.Order))
    {
        Plan = plan;
        _activation = spec.Activation;
        _convolutions = plan.Convolutions.Select(ConvLayers.Create).ToArray();
        _norms = plan.Convolutions.Select(c => ConvLayers.Norm(c.NormChannels)).ToArray();
        for (int i = 0; i < _convolutions.Length; i++)
        {
            var (conv, norm) = (plan.Convolutions[i].Conv, plan.Convolutions[i].Norm!);
            if (plan.Order == BlockOrder.PreActivation)
                register_module(norm, _norms[i]);
            register_module(conv, _convolutions[i]);
            if (plan.Order == BlockOrder.PostActivation)
                register_module(norm, _norms[i]);
        }
        if (spec.SqueezeExcitationRatio > 0)
        {
            _squeezeExcitation = new SqueezeExcitation(plan.OutChannels, spec.SqueezeExcitationRatio);
            register_module("se", _squeezeExcitation);
        }
        _downsample = Shortcut.CreateProjection(plan);
        if (_downsample is not null)
            register_module(Shortcut.ModuleName, _downsample);
    }

    /// <summary>Sets the branch's last norm scale to zero, so the block starts as its shortcut (the identity map).</summary>
    public void ZeroInitLastNorm()
    {
        using var _ = no_grad();
        _norms[^1].weight!.fill_(0);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (branch, shortcut) = Plan.Order switch
        {
            BlockOrder.PostActivation => (PostActivationBranch(x), Shortcut.Apply(Plan, _downsample, x)),
            BlockOrder.PreActivation => PreActivationBranch(x),
            _ => throw BlockOrders.Unknown(Plan.Order),
        };
        var y = branch;
        if (_squeezeExcitation is not null)
            y = FeatureMaps.Then(y, _squeezeExcitation.call(y));
        y = FeatureMaps.Then(y, StochasticDepth.Apply(y, Plan.DropPathRate, training));
        if (shortcut is not null)
        {
            y = y.AddInPlace(shortcut);
            if (!ReferenceEquals(shortcut, x))
                shortcut.Dispose();
        }
        return (Plan.Order == BlockOrder.PostActivation ? Activate(y) : y).MoveToOuterDisposeScope();
    }

    /// <summary>conv-BN-act for each convolution, without the last activation (it follows the addition).</summary>
    private Tensor PostActivationBranch(Tensor x)
    {
        var y = x;
        for (int i = 0; i < _convolutions.Length; i++)
        {
            var convolved = InputDtype.Run(_convolutions[i], y);
            if (i > 0)
                y.Dispose(); // never the block's input: the shortcut still needs it
            y = FeatureMaps.Normed(_norms[i], convolved);
            if (i < _convolutions.Length - 1)
                y = Activate(y);
        }
        return y;
    }

    /// <summary>BN-act-conv for each convolution; the first BN-act also feeds a projection or zero-pad shortcut.</summary>
    private (Tensor Branch, Tensor? Shortcut) PreActivationBranch(Tensor x)
    {
        var preActivated = Activate(_norms[0].call(x));
        var shortcut = Shortcut.Apply(Plan, _downsample, Plan.Shortcut == BlockShortcut.Identity ? x : preActivated);
        var y = InputDtype.Run(_convolutions[0], preActivated);
        if (!ReferenceEquals(shortcut, preActivated))
            preActivated.Dispose();
        for (int i = 1; i < _convolutions.Length; i++)
        {
            var activated = Activate(FeatureMaps.Normed(_norms[i], y));
            y = FeatureMaps.Then(activated, InputDtype.Run(_convolutions[i], activated));
        }
        return (y, shortcut);
    }

    private Tensor Activate(Tensor x) => Activations.Apply(_activation, x, inplace: true);

    /// <summary>Submodules are registered explicitly in the constructor, in key order; no reflection.</summary>
    protected override void RegisterComponents() { }
}
