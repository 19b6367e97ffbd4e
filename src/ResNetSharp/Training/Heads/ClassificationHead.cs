using ResNetSharp.Imaging;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ResNetSharp.Common;

namespace ResNetSharp.Training;

/// <summary>
/// Class scores: a linear classifier on the pooled features (optionally after a hidden layer with ReLU and
/// dropout), cross-entropy with label smoothing, top-1/top-5 and a confusion matrix. Targets are int64
/// class indices; -1 means no label. Without hidden layer or dropout its layer is a bare Linear, so a
/// head named <c>fc</c> has torchvision's classifier keys (fc.weight, fc.bias).
/// </summary>
public sealed class ClassificationHead(string name, IReadOnlyList<string> classNames, double weight = 1.0) : TaskHead(name, weight)
{
    /// <summary>Class names by index.</summary>
    public IReadOnlyList<string> ClassNames { get; } = classNames.Count > 0 ? classNames
        : throw new ArgumentException($"classification head '{name}' needs at least one class.", nameof(classNames));

    /// <summary>Width of a hidden layer before the classifier; 0 = none.</summary>
    public int Hidden { get; init; }

    /// <summary>Dropout probability before the classifier.</summary>
    public double Dropout { get; init; }

    /// <summary>Label smoothing of the training loss (evaluation reports plain cross-entropy).</summary>
    public double LabelSmoothing { get; init; }

    /// <inheritdoc />
    public override int Outputs => ClassNames.Count;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> CreateModule(int features) =>
        Hidden == 0 && Dropout == 0 ? nn.Linear(features, Outputs) : new ClassifierLayer(features, Hidden, Outputs, Dropout);

    /// <inheritdoc />
    public override Tensor Loss(Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var labelled = targets.AtLeast(0);
        var perSample = nn.functional.cross_entropy(outputs, targets.ClampMin(0), reduction: nn.Reduction.None, label_smoothing: LabelSmoothing);
        return MaskedMean(perSample, labelled).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override HeadMetrics CreateMetrics(Device device) => new ClassificationMetrics(ClassNames, device);

    /// <inheritdoc />
    public override HeadDescription Describe() =>
        new(Name, HeadDescription.ClassificationKind, Outputs) { ClassNames = ClassNames, Hidden = Hidden, Dropout = Dropout, Weight = Weight, Column = Column == Name ? null : Column };
}

/// <summary>Dropout, an optional hidden layer with ReLU, then the classifier: parameters hidden.weight/bias and fc.weight/bias.</summary>
internal sealed class ClassifierLayer : nn.Module<Tensor, Tensor>
{
    private readonly Linear? hidden;
    private readonly TorchSharp.Modules.Dropout dropout;
    private readonly Linear fc;

    public ClassifierLayer(int features, int hiddenWidth, int classes, double dropoutProbability) : base(nameof(ClassifierLayer))
    {
        hidden = hiddenWidth > 0 ? nn.Linear(features, hiddenWidth) : null;
        dropout = nn.Dropout(dropoutProbability);
        fc = nn.Linear(hiddenWidth > 0 ? hiddenWidth : features, classes);
        RegisterComponents();
    }

    /// <summary>Layers in ONNX order: the hidden layer (if any) then the classifier.</summary>
    public Linear? Hidden => hidden;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = hidden is null ? x : nn.functional.relu(hidden.call(x));
        return fc.call(dropout.call(y)).MoveToOuterDisposeScope();
    }
}
