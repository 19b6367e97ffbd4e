namespace ResNetSharp.Inference;

/// <summary>What an output of an image model holds, which decides how it is presented.</summary>
public enum OutputKind
{
    /// <summary>Logits over classes: softmax probabilities and a top-k list.</summary>
    Classification,

    /// <summary>Pooled features (the classifier's input): a vector for similarity search.</summary>
    Embedding,
}
