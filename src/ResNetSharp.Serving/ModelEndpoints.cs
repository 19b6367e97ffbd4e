using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ResNetSharp.Imaging;
using ResNetSharp.Inference;

namespace ResNetSharp.Serving;

/// <summary>
/// The HTTP API over one predictor: POST /v1/predict, /v1/embed (models with an embedding output) and
/// /v1/search (with an index); GET /v1/model, /healthz, /readyz. Every refusal is a 4xx problem+json
/// answer with a one-line reason; nothing a client sends takes the server down.
/// </summary>
internal sealed class ModelEndpoints(BatchingPredictor predictor, IImageSearch? search, ServingOptions options, ServingMetrics metrics,
    IHostApplicationLifetime lifetime, ILogger logger)
{
    /// <summary>Seconds a client is asked to wait after a 503 for a full queue.</summary>
    public const int RetryAfterSeconds = 1;

    // Decoding is the one step whose memory scales with the image; at most one per core runs at once.
    private readonly SemaphoreSlim _decodeSlots = new(Environment.ProcessorCount);

    /// <summary>The POST endpoints this model and index support.</summary>
    public IReadOnlyList<string> PostEndpoints =>
    [
        "/v1/predict",
        .. predictor.Info.Embedding is null ? Array.Empty<string>() : ["/v1/embed"],
        .. search is null ? Array.Empty<string>() : ["/v1/search"],
    ];

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => Results.Content(WebPage.Content, "text/html; charset=utf-8"));
        routes.MapGet("/healthz", () => Results.Json(new HealthResponse("ok", predictor.QueueDepth), ServingJson.Options));
        routes.MapGet("/readyz", Ready);
        routes.MapGet("/v1/model", () => Results.Json(ModelCard(), ServingJson.Options));
        routes.MapPost("/v1/predict", context => Answer(context, async () =>
        {
            int k = TopK(context.Request);
            var prediction = await PredictAsync(context);
            return PredictResponse.From(prediction, k);
        }));
        if (predictor.Info.Embedding is { } embedding)
            routes.MapPost("/v1/embed", context => Answer(context, async () =>
            {
                var prediction = await PredictAsync(context);
                return new EmbedResponse(prediction.Embedding, embedding.Size, embedding.Name);
            }));
        if (search is not null)
            routes.MapPost("/v1/search", context => Answer(context, async () =>
            {
                int k = TopK(context.Request);
                var prediction = await PredictAsync(context);
                var hits = search.Search(prediction.Embedding, k);
                var top = predictor.Info.Classification is null ? [] : TopClass.From(prediction.Top(k));
                return new SearchResponse(hits, top);
            }));
        routes.MapFallback(context =>
        {
            string path = context.Request.Path.Value ?? "";
            string? allowed = PostEndpoints.Contains(path) ? "POST" : GetEndpoints.Contains(path) ? "GET" : null;
            metrics.Refused(allowed is null ? "not_found" : "wrong_method");
            string served = $"this server answers POST {string.Join(", ", PostEndpoints)} and GET {string.Join(", ", GetEndpoints)}.";
            if (allowed is null)
                return Problem(StatusCodes.Status404NotFound, $"no endpoint {context.Request.Method} {path}; {served}").ExecuteAsync(context);
            context.Response.Headers.Allow = allowed;
            return Problem(StatusCodes.Status405MethodNotAllowed, $"{path} takes {allowed}, not {context.Request.Method}; {served}").ExecuteAsync(context);
        });
    }

    private static readonly string[] GetEndpoints = ["/", "/v1/model", "/healthz", "/readyz", "/metrics"];

    private IResult Ready()
    {
        string? problem = lifetime.ApplicationStopping.IsCancellationRequested ? "draining"
            : predictor.QueueDepth >= predictor.Options.MaxQueue ? "queue full" : null;
        return Results.Json(new HealthResponse(problem ?? "ok", predictor.QueueDepth), ServingJson.Options,
            statusCode: problem is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private ModelCardResponse ModelCard()
    {
        var info = predictor.Info;
        var outputs = info.Outputs.Select(o => new OutputCard(o.Name, o.Kind.ToString().ToLowerInvariant(), o.Size, o.Labels)).ToList();
        return new ModelCardResponse(info.Name, info.Engine, info.InChannels, info.Preprocessing, outputs, predictor.Options,
            options.MaxBodyBytes, options.MaxImagePixels, PostEndpoints, search is null ? null : new IndexCard(search.Count, search.Dimensions));
    }

    private async Task<Prediction> PredictAsync(HttpContext context)
    {
        var (bytes, source) = await ImageUpload.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
        Task<Prediction> pending;
        await _decodeSlots.WaitAsync(context.RequestAborted);
        try
        {
            var image = ImageDecoder.Decode(bytes, source, options.MaxImagePixels);
            pending = predictor.PredictAsync(image, context.RequestAborted);
        }
        finally
        {
            _decodeSlots.Release();
        }
        return await pending;
    }

    private int TopK(HttpRequest request)
    {
        if (!request.Query.TryGetValue("k", out var values))
            return options.TopK;
        return int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is >= 1 and <= 1000
            ? k
            : throw new RequestRejectedException(StatusCodes.Status400BadRequest, $"query parameter k must be a whole number from 1 to 1000; got \"{values}\".");
    }

    /// <summary>Runs a handler and turns what it throws into the answer the client should get.</summary>
    private async Task Answer<T>(HttpContext context, Func<Task<T>> handle)
    {
        IResult result;
        try
        {
            result = Results.Json(await handle(), ServingJson.Options);
        }
        catch (RequestRejectedException e)
        {
            metrics.Refused(e.Status switch { 413 => "too_large", 415 => "unsupported_type", _ => "bad_request" });
            result = Problem(e.Status, e.Message);
        }
        catch (ImageDecodeException e)
        {
            bool tooLarge = e.Failure == ImageDecodeFailure.TooLarge;
            metrics.Refused(tooLarge ? "too_large" : "bad_request");
            result = Problem(tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, e.Message);
        }
        catch (PredictorQueueFullException e)
        {
            metrics.Refused("queue_full");
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            result = Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (ObjectDisposedException)
        {
            metrics.Refused("queue_full");
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            result = Problem(StatusCodes.Status503ServiceUnavailable, "the server is shutting down.");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client left; nobody is there to answer
        }
        catch (Exception e)
        {
            metrics.Refused("error");
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            result = Problem(StatusCodes.Status500InternalServerError, $"the model failed on this image ({e.GetType().Name}: {e.Message}).");
        }
        await result.ExecuteAsync(context);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
}
