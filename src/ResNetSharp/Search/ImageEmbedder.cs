using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Search;

/// <summary>Embeddings of one batch of files: the files that decoded, and their vectors (rows of <see cref="ImageEmbedder.Dimensions"/>).</summary>
/// <param name="Paths">The files, in row order.</param>
/// <param name="Vectors">Row-major (Paths.Count, Dimensions), each row of unit length.</param>
public sealed record EmbeddedBatch(IReadOnlyList<string> Paths, float[] Vectors);

/// <summary>
/// Turns images into L2-normalised pooled features (the classifier's input) with one model and its
/// preprocessing. Safe to share between threads: forwards run one at a time.
/// </summary>
public sealed class ImageEmbedder : IDisposable
{
    private readonly object _forward = new();
    private readonly bool _ownsModel;

    /// <summary>
    /// Wraps <paramref name="model"/>, putting it in eval mode on <paramref name="device"/>; with
    /// <paramref name="ownsModel"/> it is disposed with the embedder.
    /// </summary>
    public ImageEmbedder(ResNet model, IndexedModel description, Device device, bool ownsModel = true)
    {
        if (description.Dimensions != model.NumFeatures)
            throw new ArgumentException($"the description says {description.Dimensions} dimensions; the model has {model.NumFeatures} features.", nameof(description));
        Model = model;
        Description = description;
        Device = device;
        _ownsModel = ownsModel;
        model.to(device).eval();
    }

    /// <summary>The network (eval mode).</summary>
    public ResNet Model { get; }

    /// <summary>What the embeddings are: model, weights, preprocessing, width.</summary>
    public IndexedModel Description { get; }

    /// <summary>Where forwards run.</summary>
    public Device Device { get; }

    /// <summary>Length of each vector.</summary>
    public int Dimensions => Model.NumFeatures;

    /// <summary>The description of embeddings made by <paramref name="model"/> with the weights file <paramref name="weights"/> (hashed now).</summary>
    public static IndexedModel Describe(string name, ResNet model, string weights, string? weightsName, ImagePreprocessing preprocessing) =>
        new(name, ResNetSpecJson.ToJson(model.Spec), Path.GetFullPath(weights), WeightsCache.FileDigest(weights), weightsName, preprocessing, model.NumFeatures);

    /// <summary>
    /// Builds the model <paramref name="description"/> names and loads its weights, after checking that the
    /// file is the one the description was made with (a registry name is looked up again in the cache when
    /// the file has moved). A different or missing file is an error naming it.
    /// </summary>
    public static ImageEmbedder Load(IndexedModel description, Device? device = null)
    {
        string weights = Locate(description);
        string sha256 = WeightsCache.FileDigest(weights);
        if (sha256 != description.WeightsSha256)
            throw new InvalidDataException(
                $"{weights} is not the weights file this index was built with (SHA-256 {sha256}, expected {description.WeightsSha256}); " +
                "queries would be embedded by another model. Rebuild the index or restore the file.");
        var spec = ResNetSpecJson.Parse(description.SpecJson, $"index model '{description.Name}'");
        var model = new ResNet(spec);
        try
        {
            WeightLoader.LoadFile(model, weights);
            return new ImageEmbedder(model, description with { Weights = weights }, device ?? CPU);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>uint8 pixels (N, C, H, W), already resized and cropped, to N unit-length rows.</summary>
    public float[] Embed(Tensor pixels)
    {
        lock (_forward)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var input = Description.Preprocessing.ToModelInput(pixels, Device, Model.Spec.InChannels);
            var features = Model.Embed(input).to(ScalarType.Float32);
            var unit = nn.functional.normalize(features, p: 2, dim: 1);
            return unit.cpu().data<float>().ToArray();
        }
    }

    /// <summary>One decoded image to a unit-length vector.</summary>
    public float[] Embed(DecodedImage image)
    {
        using var scope = NewDisposeScope();
        return Embed(Description.Preprocessing.ResizeAndCrop(image).ToTensor().unsqueeze(0));
    }

    /// <summary>
    /// The files in batches (decoded in parallel, a few batches ahead). Files that do not decode fail the
    /// enumeration, or with <see cref="BadImagePolicy.Skip"/> are left out and reported to <paramref name="skipped"/> at the end.
    /// </summary>
    public IEnumerable<EmbeddedBatch> EmbedFiles(IReadOnlyList<string> files, int batchSize, BadImagePolicy policy = BadImagePolicy.Fail,
        Action<string, string>? skipped = null, CancellationToken cancel = default)
    {
        var stream = new ImageBatchStream(files, Description.Preprocessing, batchSize, policy);
        foreach (var batch in stream.Batches(cancel))
        {
            float[] vectors;
            using (batch.Pixels)
                vectors = Embed(batch.Pixels);
            yield return new EmbeddedBatch(batch.Paths, vectors);
        }
        foreach (var (path, problem) in stream.Skipped)
            skipped?.Invoke(path, problem);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
            Model.Dispose();
    }

    private static string Locate(IndexedModel description)
    {
        if (File.Exists(description.Weights))
            return description.Weights;
        if (description.WeightsName is { } name && WeightsRegistry.FromEnvironment().TryFind(name) is { } registered
            && WeightsCache.FromEnvironment().TryGet(registered) is { } cached)
            return cached;
        throw new FileNotFoundException(
            $"the index's weights file {description.Weights} is missing" +
            (description.WeightsName is { } n ? $" (pull {n} again: resnet weights pull {n})." : "; restore it to search by image."), description.Weights);
    }
}
