using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using ResNetSharp.Inference;

namespace ResNetSharp.Serving;

/// <summary>
/// An HTTP server for one image model on ASP.NET Core's Kestrel: a <see cref="BatchingPredictor"/>
/// batches concurrent requests; the API is described on <c>ModelEndpoints</c> (and in README.md);
/// GET /metrics writes Prometheus text. Ctrl-C or SIGTERM stops accepting connections, lets requests in
/// flight finish (up to <see cref="ServingOptions.ShutdownTimeout"/>) and then returns from
/// <see cref="RunAsync"/>. The model stays the caller's to dispose.
/// </summary>
public sealed class ModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ModelServer(WebApplication app, BatchingPredictor predictor, ServingMetrics metrics)
    {
        _app = app;
        Predictor = predictor;
        Metrics = metrics;
    }

    /// <summary>The predictor behind the endpoints.</summary>
    public BatchingPredictor Predictor { get; }

    /// <summary>The Prometheus metrics the server keeps.</summary>
    public ServingMetrics Metrics { get; }

    /// <summary>The address the server listens on, e.g. http://127.0.0.1:41234 (the real port when <see cref="ServingOptions.Port"/> was 0); known once started.</summary>
    public Uri Url =>
        new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server has not started"));

    /// <summary>
    /// Builds the server for <paramref name="model"/>. With <paramref name="search"/>, POST /v1/search
    /// answers too; its embeddings must be as long as the model's embedding output.
    /// </summary>
    public static ModelServer Create(IImageModel model, BatchingOptions batching, ServingOptions options, IImageSearch? search = null)
    {
        options.Validate();
        batching.Validate();
        if (search is not null)
        {
            var embedding = model.Info.Embedding
                ?? throw new ArgumentException($"{model.Info.Name} has no embedding output to search an index with.", nameof(search));
            if (embedding.Size != search.Dimensions)
                throw new ArgumentException($"the index holds {search.Dimensions}-dimension embeddings; {model.Info.Name}'s \"{embedding.Name}\" output has {embedding.Size}.", nameof(search));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Address, options.Port);
            // Requests read at most MaxBodyBytes themselves (ImageUpload). Kestrel's own limit stays off so that,
            // after an early 413, it can drain the rest of the body (for at most 5 s, storing nothing) and the
            // client reads the answer instead of a broken pipe.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout ?? TimeSpan.FromSeconds(30));
        builder.Services.Configure<ConsoleLifetimeOptions>(console => console.SuppressStatusMessages = true);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // a failed start is thrown to the caller, not logged with a trace
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        var app = builder.Build();

        BatchingPredictor? predictor = null;
        var metrics = new ServingMetrics(batching.MaxBatchSize, () => predictor?.QueueDepth ?? 0);
        predictor = new BatchingPredictor(model, batching, metrics.Observe);
        app.Lifetime.ApplicationStopping.Register(predictor.StopHoldingBatches);
        var endpoints = new ModelEndpoints(predictor, search, options, metrics, app.Lifetime, app.Logger);
        app.UseHttpMetrics(http => http.SetMetricFactory(Prometheus.Metrics.WithCustomRegistry(metrics.Registry)));
        app.MapMetrics("/metrics", metrics.Registry);
        endpoints.Map(app);
        return new ModelServer(app, predictor, metrics);
    }

    /// <summary>Starts listening and returns; see <see cref="Url"/>.</summary>
    public Task StartAsync(CancellationToken cancellation = default) => _app.StartAsync(cancellation);

    /// <summary>Starts and serves until Ctrl-C or SIGTERM (or <paramref name="cancellation"/>), draining requests in flight before it returns.</summary>
    public async Task RunAsync(CancellationToken cancellation = default)
    {
        await _app.StartAsync(cancellation);
        await WaitForShutdownAsync(cancellation);
    }

    /// <summary>Once started: returns after Ctrl-C or SIGTERM (or <paramref name="cancellation"/>) once the requests in flight are answered.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    /// <summary>Stops accepting requests and waits for those in flight.</summary>
    public Task StopAsync(CancellationToken cancellation = default) => _app.StopAsync(cancellation);

    /// <summary>Stops the server (if running), then lets the predictor finish every queued image.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Predictor.Dispose();
    }
}
