namespace ResNetSharp.Inference;

/// <summary>What an output of an image model holds, which decides how it is presented.</summary>
public enum OutputKind
{
    /// <summary>Logits over classes (a classification head, or a plain classifier's "logits"): softmax probabilities and a top-k list.</summary>
    Classification,

    /// <summary>Real values in the training targets' own units (a regression head restores their mean and std), shown as they are.</summary>
    Regression,

    /// <summary>Pooled features (every head's input): a vector for similarity search.</summary>
    Embedding,

    /// <summary>The values of a head of a kind this library does not know (a custom <c>TaskHead</c>), shown as they are.</summary>
    Values,
}
