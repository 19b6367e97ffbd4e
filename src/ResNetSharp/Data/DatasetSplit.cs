namespace ResNetSharp.Data;

/// <summary>Which part of a dataset.</summary>
public enum DatasetSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The held-out test images.</summary>
    Test,
}
