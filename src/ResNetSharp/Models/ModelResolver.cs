namespace ResNetSharp.Models;

/// <summary>Resolves what a user names as a model: a catalog name, or the path of a JSON spec file.</summary>
public static class ModelResolver
{
    /// <summary>The spec for <paramref name="nameOrSpecFile"/>; a name ending in .json is read as a spec file.</summary>
    public static ResNetSpec Resolve(string nameOrSpecFile) =>
        nameOrSpecFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ResNetSpecJson.Load(nameOrSpecFile)
            : ModelCatalog.Get(nameOrSpecFile);
}
