namespace ResNetSharp.Data.Images;

/// <summary>What to do with an image that does not decode.</summary>
public enum BadImagePolicy
{
    /// <summary>Stop at the first bad file with an error naming it.</summary>
    Fail,

    /// <summary>Leave bad files out and report how many and which at the end.</summary>
    Skip,
}
