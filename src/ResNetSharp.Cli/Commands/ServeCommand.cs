using System.CommandLine;
using System.Net;
using ResNetSharp.Cli.Options;
using ResNetSharp.Inference;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Search;
using ResNetSharp.Serving;
using ResNetSharp.Zoo;

namespace ResNetSharp.Cli.Commands;

/// <summary>resnet serve: an HTTP server for a model (weights with TorchSharp or ONNX Runtime, or an ONNX file), with dynamic batching.</summary>
public static class ServeCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new InferenceModelOptions();
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Serve an exported ONNX model with ONNX Runtime (no libtorch; replaces --weights)" };
        var engine = new ChoiceOption("--engine", "For --weights: auto is ONNX Runtime on a CPU, TorchSharp on a GPU", ["auto", "onnxruntime", "torchsharp"], "auto");
        var index = new Option<DirectoryInfo?>("--index") { Description = "Image index folder to answer POST /v1/search from (built by 'resnet index build' with the same weights)" };
        var host = new Option<string>("--host") { Description = "Address to listen on; 0.0.0.0 accepts other machines", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port, printed at start)", DefaultValueFactory = _ => 8080 };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most images per model call (1: one at a time)", DefaultValueFactory = _ => 32 };
        var maxWait = new Option<int>("--max-wait-ms") { Description = "Longest an image waits for others to join its batch, in milliseconds", DefaultValueFactory = _ => 5 };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most images waiting; beyond it requests get 503 with Retry-After", DefaultValueFactory = _ => 256 };
        var maxBody = new Option<int>("--max-body-mb") { Description = "Largest request body in MiB (413 beyond)", DefaultValueFactory = _ => 32 };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Largest image, width x height by its header (413 beyond, before decoding)", DefaultValueFactory = _ => 50_000_000 };
        var command = new Command("serve", "Serve a model over HTTP: POST /v1/predict, /v1/embed, /v1/search; a web page at /");
        model.AddTo(command);
        foreach (var option in new Option[] { onnx, engine, index, host, port, maxBatch, maxWait, maxQueue, maxBody, maxPixels })
            command.Add(option);
        command.SetAction(parsed =>
        {
            var batching = new BatchingOptions(
                OptionChecks.AtLeast(parsed.GetValue(maxBatch), 1, "--max-batch"),
                OptionChecks.AtLeast(parsed.GetValue(maxWait), 0, "--max-wait-ms"),
                OptionChecks.AtLeast(parsed.GetValue(maxQueue), 1, "--max-queue"));
            if (batching.MaxWaitMilliseconds > 60_000)
                throw new UsageException($"--max-wait-ms must be 60000 or less; got {batching.MaxWaitMilliseconds}.");
            int portNumber = parsed.GetValue(port);
            if (portNumber is < 0 or > 65535)
                throw new UsageException($"--port must be between 0 and 65535; got {portNumber}.");
            if (!IPAddress.TryParse(parsed.GetValue(host), out var address))
                throw new UsageException($"--host '{parsed.GetValue(host)}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::1).");
            var serving = new ServingOptions(address, portNumber,
                (long)OptionChecks.AtLeast(parsed.GetValue(maxBody), 1, "--max-body-mb") << 20,
                parsed.GetValue(maxPixels) is >= 1 and var pixels ? pixels : throw new UsageException($"--max-pixels must be 1 or more; got {parsed.GetValue(maxPixels)}."));
            var indexFolder = parsed.GetValue(index);
            if (indexFolder is not null && !indexFolder.Exists)
                throw new UsageException($"--index {indexFolder.FullName}: no such folder; build an index with 'resnet index build FOLDER -o INDEX --weights W'.");

            var onnxFile = parsed.GetValue(onnx);
            string? engineName = onnxFile is null ? parsed.GetValue(engine) : null;
            // The index is matched to the served weights by the SHA-256 of their file (an exported ONNX file records its source's).
            string? weightsSha256 = onnxFile is null && indexFolder is not null ? WeightsCache.FileDigest(model.WeightsFile(parsed)) : null;
            using var served = onnxFile is not null ? OpenOnnx(onnxFile, model, parsed) : LoadWeights(model, parsed, engineName!);
            using var search = indexFolder is null ? null
                : OpenIndex(indexFolder, served, onnxFile is null ? weightsSha256 : ((OnnxClassifier)served).Metadata.GetValueOrDefault(OnnxExportOptions.WeightsSha256Key));
            Serve(served, search, batching, serving, output).GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }

    /// <summary>The index, read-only, after checking that it holds the served model's embeddings; a mismatch is a one-line error.</summary>
    private static ImageIndexSearch OpenIndex(DirectoryInfo folder, IImageModel served, string? weightsSha256)
    {
        try
        {
            return ImageIndexSearch.Open(folder.FullName, served.Info, weightsSha256);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--index {e.Message}", e);
        }
    }

    private static async Task Serve(IImageModel model, ImageIndexSearch? search, BatchingOptions batching, ServingOptions serving, TextWriter output)
    {
        await using var server = ModelServer.Create(model, batching, serving, search);
        try
        {
            await server.StartAsync();
        }
        catch (IOException e)
        {
            throw new UsageException($"--host {serving.Address} --port {serving.Port}: cannot listen there ({e.Message.TrimEnd('.')}).", e);
        }
        var info = model.Info;
        output.WriteLine($"resnet serve: listening on {server.Url.GetLeftPart(UriPartial.Authority)} ({info.Name}, {info.Engine}; batches of up to {batching.MaxBatchSize}, " +
            $"{batching.MaxWaitMilliseconds} ms wait, queue {batching.MaxQueue}" +
            (search is null ? "" : $"; index of {search.Count:N0} images at {search.Index.Folder}") + "); Ctrl-C to stop");
        output.Flush();
        await server.WaitForShutdownAsync();
        output.WriteLine("resnet serve: stopped after finishing the requests in flight");
    }

    /// <summary>The ONNX path touches no TorchSharp type, so libtorch is never loaded.</summary>
    private static OnnxClassifier OpenOnnx(FileInfo file, InferenceModelOptions model, ParseResult parsed)
    {
        var conflicting = model.GivenModelOptions(parsed).ToList();
        if (conflicting.Count > 0)
            throw new UsageException($"--onnx serves the exported model as it is; drop {string.Join(", ", conflicting)}.");
        if (model.ClassNamesFile(parsed) is not null)
            throw new UsageException("--onnx takes its class names from the file's metadata; drop --class-names.");
        return OnnxClassifier.Open(file.FullName, imageSize: model.ImageSize(parsed));
    }

    /// <summary>
    /// Weights, plain or with named heads: on a CPU (auto) or when asked, exported in memory and run with ONNX
    /// Runtime (every output TorchSharp gives, embedding included); else with TorchSharp.
    /// </summary>
    private static IImageModel LoadWeights(InferenceModelOptions model, ParseResult parsed, string engine)
    {
        var loaded = model.LoadWeights(parsed);
        bool cpu = loaded.Device.type == TorchSharp.DeviceType.CPU;
        if (engine == "onnxruntime" && !cpu)
        {
            loaded.Dispose();
            throw new UsageException($"--engine onnxruntime runs on the CPU; drop --device {loaded.Device} or use --engine torchsharp.");
        }
        if (engine == "torchsharp" || !cpu)
            return loaded.ToImageModel();
        using (loaded)
            return OnnxClassifier.Load(loaded.ToOnnx(), loaded.Name);
    }
}
