using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Models;

/// <summary>
/// A ResNet-family network built from a <see cref="ResNetSpec"/>. State-dict keys are torchvision's
/// (conv1, bn1, layer1.0.conv1, ..., layer2.0.downsample.0, fc) and timm's for its variants, so weights
/// move between ecosystems unchanged. Features and head are separate and public.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly StemLayers _stem;
    private readonly Sequential[] _stages;
    private readonly BatchNorm2d? _headNorm;
    private Linear? _fc;

    /// <summary>The spec this network was built from (with the current number of classes).</summary>
    public ResNetSpec Spec { get; private set; }

    /// <summary>The resolved per-block plan.</summary>
    public NetworkPlan Plan { get; }

    /// <summary>Width of the pooled embedding (the classifier's input).</summary>
    public int NumFeatures => Plan.NumFeatures;

    /// <summary>Classifier outputs; 0 when the head has no classifier.</summary>
    public int NumClasses => Spec.NumClasses;

    /// <summary>Channels and stride of each stage output, in order, as <see cref="ForwardStages"/> returns them.</summary>
    public IReadOnlyList<FeatureInfo> FeatureInfo => Plan.FeatureInfo;

    /// <summary>
    /// Smallest input height and width accepted: the backbone's total stride, so that the last stage
    /// still sees at least one position computed from real pixels.
    /// </summary>
    public int MinimumInputSize => Plan.OutputStride;

    static ResNet() => Common.ProcessSetup.EnsureApplied();

    /// <summary>Builds the network and initialises it as torchvision does (see <see cref="WeightInit"/>).</summary>
    public ResNet(ResNetSpec spec) : base(nameof(ResNet))
    {
        Plan = NetworkPlanner.Plan(spec);
        Spec = spec;
        _stem = StemLayers.Create(Plan);
        register_module("conv1", _stem.Conv);
        if (_stem.Norm is not null)
            register_module("bn1", _stem.Norm);
        if (_stem.Pool is not null)
            register_module("maxpool", _stem.Pool);

        _stages = Plan.Stages.Select(stage => nn.Sequential(stage.Blocks
            .Select((block, i) => (i.ToString(), (nn.Module<Tensor, Tensor>)new ResidualBlock(block, spec))).ToArray())).ToArray();
        for (int i = 0; i < _stages.Length; i++)
            register_module(Plan.Stages[i].Name, _stages[i]);

        if (Plan.NormBeforeHead)
        {
            _headNorm = ConvLayers.Norm(NumFeatures);
            register_module(NetworkPlan.HeadNormName, _headNorm);
        }
        if (spec.NumClasses > 0)
        {
            _fc = nn.Linear(NumFeatures, spec.NumClasses);
            register_module("fc", _fc);
        }
        WeightInit.Apply(this);
    }

    /// <summary>The residual blocks in order.</summary>
    public IEnumerable<ResidualBlock> Blocks => _stages.SelectMany(stage => stage.children().Cast<ResidualBlock>());

    /// <summary>Image batch (N, C, H, W) to logits (N, classes), or pooled features when there is no classifier.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ForwardHead(ForwardFeatures(input)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Image batch to the feature map the head pools (N, <see cref="NumFeatures"/>, H/stride, W/stride): the
    /// last stage's output, after the final norm and activation in pre-activation networks.
    /// </summary>
    public Tensor ForwardFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = ForwardStem(input);
        foreach (var block in Blocks)
            x = FeatureMaps.Then(x, block.call(x));
        return (_headNorm is null ? x : FeatureMaps.Then(x, HeadNorm(x))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The outputs of all stages, for detection and segmentation backbones; channels and strides are
    /// described by <see cref="FeatureInfo"/>. The caller owns the returned tensors.
    /// </summary>
    public IReadOnlyList<Tensor> ForwardStages(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>(_stages.Length);
        var x = ForwardStem(input);
        foreach (var stage in _stages)
        {
            x = stage.call(x);
            outputs.Add(x);
        }
        foreach (var output in outputs)
            output.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>
    /// One pass that returns every stage's output (as <see cref="ForwardStages"/>) and the features the head
    /// pools (as <see cref="ForwardFeatures"/>), all in one autograd graph: what Grad-CAM and feature
    /// distillation need (timm's forward_intermediates). The caller owns all returned tensors.
    /// </summary>
    public (IReadOnlyList<Tensor> Stages, Tensor Features) ForwardIntermediates(Tensor input)
    {
        var stages = ForwardStages(input);
        using var scope = NewDisposeScope();
        var features = _headNorm is null ? stages[^1].view(stages[^1].shape) : HeadNorm(stages[^1]);
        return (stages, features.MoveToOuterDisposeScope());
    }

    /// <summary>Pre-activation networks' final BN and activation; <paramref name="x"/> is left as it is.</summary>
    private Tensor HeadNorm(Tensor x) => Activations.Apply(Spec.Activation, _headNorm!.call(x), inplace: true);

    /// <summary>
    /// Global average pool and classifier. With <paramref name="preLogits"/> (or without a classifier) it
    /// returns the pooled features (N, <see cref="NumFeatures"/>).
    /// </summary>
    public Tensor ForwardHead(Tensor features, bool preLogits = false)
    {
        if (features.dim() != 4 || features.shape[1] != NumFeatures)
            throw new ArgumentException(
                $"ForwardHead expects features of shape (N, {NumFeatures}, H, W); got ({string.Join(", ", features.shape)}).",
                nameof(features));
        using var scope = NewDisposeScope();
        var pooled = features.mean([2, 3]);
        var result = preLogits || _fc is null ? pooled : InputDtype.Run(_fc, pooled);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The pooled embedding of an image batch: (N, <see cref="NumFeatures"/>), the classifier's input.</summary>
    public Tensor Embed(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ForwardHead(ForwardFeatures(input), preLogits: true).MoveToOuterDisposeScope();
    }

    /// <summary>Image batch to the stem's output (conv, norm, activation and pooling): what the first stage takes. The caller owns the result.</summary>
    public Tensor ForwardStem(Tensor input)
    {
        InputCheck.Validate(this, input);
        var x = InputDtype.Run(_stem.Conv, input);
        if (_stem.Norm is not null)
            x = Activations.Apply(Spec.Activation, FeatureMaps.Normed(_stem.Norm, x), inplace: true);
        return _stem.Pool is null ? x : FeatureMaps.Then(x, _stem.Pool.call(x));
    }

    /// <summary>
    /// Replaces the classifier with a freshly initialised one for <paramref name="numClasses"/> outputs
    /// (0 removes it), on the same device and dtype as the network.
    /// </summary>
    public void ResetClassifier(int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        var reference = parameters().First();
        if (_fc is not null)
        {
            register_module("fc", null!);
            _fc.Dispose();
            _fc = null;
        }
        if (numClasses > 0)
        {
            _fc = nn.Linear(NumFeatures, numClasses, device: reference.device, dtype: reference.dtype);
            register_module("fc", _fc);
        }
        Spec = Spec with { NumClasses = numClasses };
    }

    /// <summary>Names of the parts that can be frozen: "stem", each stage ("layer1"...), "norm" (pre-activation networks) and "fc".</summary>
    public IReadOnlyList<string> PartNames =>
        ["stem", .. Plan.Stages.Select(s => s.Name), .. _headNorm is null ? Array.Empty<string>() : [NetworkPlan.HeadNormName],
            .. _fc is null ? Array.Empty<string>() : ["fc"]];

    /// <summary>
    /// Turns gradients on or off for the named parts (see <see cref="PartNames"/>). Frozen parts keep
    /// updating BatchNorm running statistics in training mode; put them in eval mode to fix those too.
    /// </summary>
    public void SetTrainable(bool trainable, params string[] parts)
    {
        foreach (var part in parts)
        {
            if (!PartNames.Contains(part))
                throw new ArgumentException(
                    $"Unknown model part '{part}'; expected one of: {string.Join(", ", PartNames)}.", nameof(parts));
            foreach (var (name, parameter) in named_parameters())
                if (PartOf(name) == part)
                    parameter.requires_grad = trainable;
        }
    }

    /// <summary>The part a parameter belongs to, from its state-dict name.</summary>
    public static string PartOf(string parameterName)
    {
        string head = parameterName.Split('.')[0];
        return head is "conv1" or "bn1" ? "stem" : head;
    }

    /// <summary>Number of parameter elements, all or only those that receive gradients.</summary>
    public long CountParameters(bool trainableOnly = false) =>
        parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());

    /// <inheritdoc />
    protected override void RegisterComponents() { }
}
