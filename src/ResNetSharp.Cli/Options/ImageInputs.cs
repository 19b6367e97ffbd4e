using ResNetSharp.Data.Images;

namespace ResNetSharp.Cli.Options;

/// <summary>Input arguments that name files or folders: the one place where a folder becomes its images.</summary>
public static class ImageInputs
{
    /// <summary>
    /// The files named directly, as given, and for each folder named, every image inside it (recursively, in
    /// ordinal order, as <c>resnet embed</c> lists a folder); a name that is neither is a
    /// <see cref="FileNotFoundException"/>.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(ImageFolderIndex.ListImages(input));
            else if (File.Exists(input))
                files.Add(input);
            else
                throw new FileNotFoundException($"image or folder not found: {input}", input);
        }
        return files;
    }
}
