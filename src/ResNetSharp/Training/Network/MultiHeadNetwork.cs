using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// A backbone followed by named heads: what the training engine trains. The backbone maps images
/// (N, C, H, W) to pooled features (N, <see cref="NumFeatures"/>), and each head maps those to its
/// outputs. Parameters keep the backbone's own names (torchvision's for a catalog ResNet) and each
/// head's sit under its name beside them, so a network with one plain classification head named
/// <c>fc</c> has exactly a torchvision ResNet's state dict.
/// </summary>
public sealed class MultiHeadNetwork : nn.Module<Tensor, IReadOnlyDictionary<string, Tensor>>
{
    private readonly nn.Module<Tensor, Tensor> _backbone;
    private readonly Dictionary<string, nn.Module<Tensor, Tensor>> _heads = new(StringComparer.Ordinal);

    static MultiHeadNetwork() => Common.ProcessSetup.EnsureApplied();

    /// <param name="backbone">Images to pooled features; its parameters must all belong to its sub-modules (as in any module that registers its layers).</param>
    /// <param name="numFeatures">Width of the pooled features.</param>
    /// <param name="heads">The heads, in order; their names must differ from the backbone's parts.</param>
    public MultiHeadNetwork(nn.Module<Tensor, Tensor> backbone, int numFeatures, IReadOnlyList<TaskHead> heads) : base(nameof(MultiHeadNetwork))
    {
        if (backbone.named_parameters(recurse: false).Any() || backbone.named_buffers(recurse: false).Any())
            throw new ArgumentException("the backbone holds parameters or buffers of its own; put them in a sub-module.", nameof(backbone));
        _backbone = backbone;
        NumFeatures = numFeatures;
        Heads = heads;
        foreach (var (name, child) in backbone.named_children())
            register_module(name, child);
        foreach (var head in heads)
        {
            if (_heads.ContainsKey(head.Name) || backbone.named_children().Any(c => c.name == head.Name))
                throw new ArgumentException($"head name '{head.Name}' is taken (by another head or a part of the backbone).", nameof(heads));
            var module = head.CreateModule(numFeatures);
            _heads[head.Name] = module;
            register_module(head.Name, module);
        }
    }

    /// <summary>The catalog network: a ResNet of <paramref name="spec"/> without its classifier, then <paramref name="heads"/>.</summary>
    public static MultiHeadNetwork FromSpec(ResNetSpec spec, IReadOnlyList<TaskHead> heads)
    {
        var backbone = new ResNet(spec with { NumClasses = 0 });
        return new MultiHeadNetwork(backbone, backbone.NumFeatures, heads);
    }

    /// <summary>Images to pooled features.</summary>
    public nn.Module<Tensor, Tensor> Backbone => _backbone;

    /// <summary>The backbone when it is a catalog ResNet (needed for parts, export and spec metadata), else null.</summary>
    public ResNet? ResNetBackbone => _backbone as ResNet;

    /// <summary>Width of the pooled features.</summary>
    public int NumFeatures { get; }

    /// <summary>The heads, in order.</summary>
    public IReadOnlyList<TaskHead> Heads { get; }

    /// <summary>The name of a plain classifier head: torchvision's <c>fc</c>.</summary>
    public const string ClassifierHead = "fc";

    /// <summary>
    /// Whether this is a plain ResNet classifier: one classification head <c>fc</c> without hidden layer or
    /// dropout, whose weights load into a <see cref="ResNet"/> and whose commands keep a classifier's outputs.
    /// </summary>
    public bool IsPlainClassifier => Heads is [ClassificationHead { Name: ClassifierHead, Hidden: 0, Dropout: 0 }];

    /// <summary>The layer of head <paramref name="name"/>.</summary>
    public nn.Module<Tensor, Tensor> HeadModule(string name) => _heads[name];

    /// <summary>Images to each head's float32 outputs, by head name. The caller owns the tensors.</summary>
    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = ForwardHeads(Embed(input));
        foreach (var output in outputs.Values)
            output.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>
    /// Pooled features (N, <see cref="NumFeatures"/>), in any float dtype, to each head's float32 outputs by head
    /// name (the heads read them as float32): with <see cref="Embed"/>, one backbone pass gives the embedding and
    /// every head. The caller owns the tensors.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ForwardHeads(Tensor features)
    {
        using var scope = NewDisposeScope();
        var pooled = features.to(ScalarType.Float32);
        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var head in Heads)
            outputs[head.Name] = _heads[head.Name].call(pooled);
        foreach (var output in outputs.Values)
            output.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>Images to pooled features (N, <see cref="NumFeatures"/>), in the compute dtype.</summary>
    public Tensor Embed(Tensor input) => _backbone.call(input);

    /// <summary>Parts that can be frozen: the backbone's (stem, layer1..., or "backbone" for another backbone) and each head's name.</summary>
    public IReadOnlyList<string> PartNames =>
        [.. ResNetBackbone is { } resnet ? resnet.PartNames : [TransferLearning.Backbone], .. Heads.Select(h => h.Name)];

    /// <summary>The part a parameter belongs to, from its state-dict name.</summary>
    public string PartOf(string parameterName)
    {
        string first = parameterName.Split('.')[0];
        return _heads.ContainsKey(first) ? first : ResNetBackbone is null ? TransferLearning.Backbone : ResNet.PartOf(parameterName);
    }

    /// <summary>Whether a parameter belongs to a head.</summary>
    public bool IsHeadParameter(string parameterName) => _heads.ContainsKey(parameterName.Split('.')[0]);

    /// <summary>Turns gradients on or off for the named parts (see <see cref="PartNames"/>).</summary>
    public void SetTrainable(bool trainable, params string[] parts)
    {
        foreach (var part in parts)
            if (!PartNames.Contains(part))
                throw new ArgumentException($"unknown part '{part}'; expected one of: {string.Join(", ", PartNames)}.", nameof(parts));
        foreach (var (name, parameter) in named_parameters())
            if (parts.Contains(PartOf(name)))
                parameter.requires_grad = trainable;
    }

    /// <summary>Number of parameter elements, all or only those that receive gradients.</summary>
    public long CountParameters(bool trainableOnly = false) =>
        parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());

    /// <inheritdoc />
    public override void train(bool train = true)
    {
        base.train(train);
        _backbone.train(train);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _backbone.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override void RegisterComponents() { }
}
