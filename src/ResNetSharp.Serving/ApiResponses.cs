using ResNetSharp.Imaging;
using ResNetSharp.Inference;

namespace ResNetSharp.Serving;

/// <summary>One class of a top-k list, as the API writes it.</summary>
/// <param name="Label">Class name.</param>
/// <param name="Index">Output index.</param>
/// <param name="Probability">Softmax probability over the output's classes.</param>
public sealed record TopClass(string Label, int Index, double Probability)
{
    /// <summary>The API form of <paramref name="scores"/>.</summary>
    public static IReadOnlyList<TopClass> From(IReadOnlyList<ClassScore> scores) =>
        scores.Select(s => new TopClass(s.Name, s.Index, s.Probability)).ToList();
}

/// <summary>The answer of POST /v1/predict.</summary>
/// <param name="Outputs">
/// Every output but the embedding, by output name (<see cref="ImageModelInfo.HeadOutputs"/>): a plain classifier's
/// "logits", or each head's values (logits of a classification head, a regression head's values in its targets' units).
/// </param>
/// <param name="Top">The first classification output's top-k, best first (empty when the model has no classifier).</param>
/// <param name="TopByOutput">Every classification output's top-k, by output name (one per classification head).</param>
public sealed record PredictResponse(IReadOnlyDictionary<string, float[]> Outputs, IReadOnlyList<TopClass> Top,
    IReadOnlyDictionary<string, IReadOnlyList<TopClass>> TopByOutput)
{
    /// <summary>The response for <paramref name="prediction"/> with <paramref name="k"/> classes per classification output.</summary>
    public static PredictResponse From(Prediction prediction, int k)
    {
        var outputs = prediction.Model.HeadOutputs;
        var tops = outputs.Where(o => o.Kind == OutputKind.Classification).ToDictionary(o => o.Name, o => TopClass.From(prediction.Top(k, o.Name)));
        return new PredictResponse(outputs.ToDictionary(o => o.Name, o => prediction.Outputs[o.Name]),
            prediction.Model.Classification is { } first ? tops[first.Name] : [], tops);
    }
}

/// <summary>The answer of POST /v1/embed.</summary>
/// <param name="Embedding">The pooled features (not normalised).</param>
/// <param name="Dimensions">Its length.</param>
/// <param name="Output">The model output it came from.</param>
public sealed record EmbedResponse(float[] Embedding, int Dimensions, string Output);

/// <summary>The answer of POST /v1/search.</summary>
/// <param name="Neighbors">The most similar indexed images, most similar first.</param>
/// <param name="Top">The query image's top-k classes (empty when the model has no classifier).</param>
public sealed record SearchResponse(IReadOnlyList<ImageNeighbor> Neighbors, IReadOnlyList<TopClass> Top);

/// <summary>An output as GET /v1/model describes it.</summary>
/// <param name="Name">Output name.</param>
/// <param name="Kind">"classification", "regression" (values in the training targets' units), "embedding", or "values" (a custom head's).</param>
/// <param name="Size">Values per image.</param>
/// <param name="Labels">Class names, for classification outputs.</param>
public sealed record OutputCard(string Name, string Kind, int Size, IReadOnlyList<string>? Labels);

/// <summary>GET /v1/model: the model card and how the server runs it.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Engine">What runs it.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="Preprocessing">Resize, crop, mean, std, grayscale.</param>
/// <param name="Outputs">Every output.</param>
/// <param name="Batching">Batch size, wait and queue bound.</param>
/// <param name="MaxBodyBytes">Largest request body.</param>
/// <param name="MaxImagePixels">Largest image (width x height).</param>
/// <param name="Endpoints">The POST endpoints this server answers.</param>
/// <param name="Index">The search index, when one is loaded.</param>
public sealed record ModelCardResponse(string Name, string Engine, int InChannels, ImagePreprocessing Preprocessing,
    IReadOnlyList<OutputCard> Outputs, BatchingOptions Batching, long MaxBodyBytes, long MaxImagePixels,
    IReadOnlyList<string> Endpoints, IndexCard? Index);

/// <summary>The loaded search index.</summary>
/// <param name="Images">Images in it.</param>
/// <param name="Dimensions">Embedding length.</param>
public sealed record IndexCard(long Images, int Dimensions);

/// <summary>GET /healthz and /readyz.</summary>
/// <param name="Status">"ok", or why the server is not ready ("draining", "queue full").</param>
/// <param name="QueueDepth">Images waiting for a batch.</param>
public sealed record HealthResponse(string Status, int QueueDepth);
