namespace ResNetSharp.Training;

/// <summary>Kinds of built-in head.</summary>
public enum HeadKind
{
    /// <summary>Class scores (logits); cross-entropy; top-1/top-5.</summary>
    Classification,

    /// <summary>Real values, standardised for the loss; L1, MSE or smooth-L1; MAE/RMSE.</summary>
    Regression,
}

/// <summary>Losses of a regression head.</summary>
public enum RegressionLoss
{
    /// <summary>Mean absolute error.</summary>
    L1,

    /// <summary>Mean squared error.</summary>
    Mse,

    /// <summary>Huber with β = 1 (on standardised targets): quadratic near 0, linear beyond.</summary>
    SmoothL1,
}

/// <summary>One head of a multi-task network, as a config names it.</summary>
public sealed record HeadConfig
{
    /// <summary>Head name: the output's name (state-dict prefix, ONNX output) and, by default, the label column it learns from.</summary>
    public string Name { get; init; } = "";

    /// <summary>What the head predicts.</summary>
    public HeadKind Kind { get; init; } = HeadKind.Classification;

    /// <summary>Weight of this head's loss in the total.</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>Classification: width of a hidden layer (with ReLU) before the classifier; 0 = none.</summary>
    public int Hidden { get; init; }

    /// <summary>Classification: dropout before the classifier.</summary>
    public double Dropout { get; init; }

    /// <summary>Regression: the loss on standardised targets.</summary>
    public RegressionLoss Loss { get; init; } = RegressionLoss.SmoothL1;

    /// <summary>The label column to learn from; null = <see cref="Name"/>.</summary>
    public string? Column { get; init; }

    /// <summary>Checks the head; <paramref name="path"/> prefixes property names in errors.</summary>
    public void Validate(string path)
    {
        ConfigException.Require(TaskHead.IsValidName(Name), $"{path}.name", $"'{Name}'", "a name of letters, digits and '_' starting with a letter, other than 'embedding'");
        ConfigException.Require(Enum.IsDefined(Kind), $"{path}.kind", Kind, "classification or regression");
        ConfigException.Require(Weight >= 0 && double.IsFinite(Weight), $"{path}.weight", Weight, "0 or more");
        ConfigException.Require(Hidden is >= 0 and <= 65536, $"{path}.hidden", Hidden, "0 (none) to 65536");
        ConfigException.Require(Dropout is >= 0 and < 1, $"{path}.dropout", Dropout, "in [0, 1)");
        ConfigException.Require(Enum.IsDefined(Loss), $"{path}.loss", Loss, "l1, mse or smoothL1");
    }

    /// <summary>Parses "NAME=KIND[,NAME=KIND...]" (KIND classification or regression).</summary>
    public static IReadOnlyList<HeadConfig> ParseList(string text, string property)
    {
        var heads = new List<HeadConfig>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !Enum.TryParse<HeadKind>(pair[1], ignoreCase: true, out var kind) || int.TryParse(pair[1], out _))
                throw new ConfigException(property, $"'{text}'", "NAME=classification or NAME=regression, separated by commas");
            heads.Add(new HeadConfig { Name = pair[0], Kind = kind });
        }
        return heads.Count > 0 ? heads : throw new ConfigException(property, $"'{text}'", "at least one NAME=KIND");
    }
}
