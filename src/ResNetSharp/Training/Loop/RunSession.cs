using ResNetSharp.Common;
using ResNetSharp.Imaging;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Everything a run holds while it trains: the network on its device, the optimiser, the weight average,
/// the loss scaler, the input adapter, the schedule and the progress, restored from the checkpoint when
/// resuming.
/// </summary>
internal sealed class RunSession : IDisposable
{
    public required TrainingSetup Setup { get; init; }
    public required MultiHeadNetwork Network { get; init; }
    public required Optimizer Optimizer { get; init; }
    public WeightAverage? Average { get; init; }
    public LossScaler? Scaler { get; set; }
    public required InputAdapter Input { get; init; }
    public required LearningRateSchedule Schedule { get; init; }
    public required long StepsPerEpoch { get; init; }
    public required TrainingProgress Progress { get; set; }
    public required Device Device { get; init; }

    /// <summary>Per-part gradient norms, when the run keeps diagnostics.</summary>
    public PartGradientNorms? Gradients { get; init; }

    /// <summary>The weight average's network, when the run keeps one.</summary>
    public MultiHeadNetwork? AverageNetwork => Average?.Model as MultiHeadNetwork;

    public long TotalSteps(TrainingConfig config) => StepsPerEpoch * config.Schedule.Epochs;

    /// <summary>The learning rate of 0-based <paramref name="step"/>: the schedule's, times the plateau reductions so far.</summary>
    public double LearningRateAt(long step) => Schedule.At(step) * Progress.Plateau.Factor;

    public static RunSession Start(TrainingSetup setup, TrainingConfig config, Device device, CheckpointStore store, TrainingObserver observer,
        bool resume, bool force)
    {
        manual_seed(config.Run.Seed);
        var network = setup.CreateNetwork();
        WeightAverage? average = null;
        try
        {
            if (config.Run.Target is { } target)
                TargetMetrics.Check(target, network.Heads);
            if (config.Transfer.InitialWeights is { } initial)
                observer.Message(TransferLearning.LoadInitialWeights(network, initial));
            TransferLearning.CheckParts(network, config.Transfer.Freeze);
            network.to(device);
            if (config.Precision.ChannelsLast)
                MemoryFormat.ConvertWeights(network);
            if (device.type == DeviceType.CUDA)
                CudnnAutotune.TrySet(config.Precision.CudnnAutotune);
            var optimizer = setup.CreateOptimizer?.Invoke(network) ?? DefaultOptimizer(network, config);
            optimizer.Pack();
            average = config.Optimization.EmaDecay > 0 ? new WeightAverage(network, setup.CreateNetwork(), config.Optimization.EmaDecay) : null;

            var train = setup.Train;
            int dataChannels = train.ImageShape.Channels;
            var input = InputAdapter.For(dataChannels, train.Mean, train.Std, train.Source, setup.ModelChannels ?? dataChannels, device) with
            {
                ComputeDtype = config.Precision.Compute.ToScalarType(),
                ChannelsLast = config.Precision.ChannelsLast,
            };
            var metadata = new Dictionary<string, string>(setup.WeightsMetadata?.Invoke(network) ?? new Dictionary<string, string> { ["format"] = "pt" });
            if (!network.IsPlainClassifier)
                metadata[HeadDescription.MetadataKey] = HeadDescription.ToJson(network.Heads.Select(h => h.Describe()).ToList());
            store.WeightsMetadata = metadata;

            int batch = config.Optimization.BatchSize;
            long stepsPerEpoch = train.Count / batch;
            if (stepsPerEpoch == 0)
                throw new ConfigException("optimization.batchSize", batch, $"at most the {train.Count} training images of {train.Source}");
            var schedule = LearningRateSchedule.For(config.Schedule, config.Optimization.LearningRate, stepsPerEpoch);
            var progress = CheckpointResume.Restore(store, network, optimizer, average, config, observer, resume, force)
                ?? new TrainingProgress(0, 0, 0, double.NaN);
            return new RunSession
            {
                Setup = setup, Network = network, Optimizer = optimizer, Average = average, Input = input, Schedule = schedule,
                StepsPerEpoch = stepsPerEpoch, Progress = progress, Device = device,
                Gradients = config.Run.Diagnostics ? new PartGradientNorms(network, device) : null,
                Scaler = config.Precision.Compute == Precision.Fp16 ? new LossScaler(progress.LossScale, progress.LossScaleGoodSteps) : null,
            };
        }
        catch
        {
            average?.Dispose();
            network.Dispose();
            throw;
        }
    }

    private static Optimizer DefaultOptimizer(MultiHeadNetwork network, TrainingConfig config)
    {
        var o = config.Optimization;
        var parameters = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        var scale = TransferLearning.LearningRateScale(network, config.Transfer);
        return o.Optimizer switch
        {
            OptimizerKind.Sgd => new SgdOptimizer(parameters, o.Momentum, o.Nesterov, o.WeightDecay, o.DecayNormsAndBiases) { LearningRateScale = scale },
            OptimizerKind.AdamW => new AdamWOptimizer(parameters, 0.9, 0.999, 1e-8, o.WeightDecay, o.DecayNormsAndBiases) { LearningRateScale = scale },
            OptimizerKind.Adam => new AdamOptimizer(parameters, 0.9, 0.999, 1e-8, o.WeightDecay, o.DecayNormsAndBiases) { LearningRateScale = scale },
            _ => throw new ConfigException("optimization.optimizer", o.Optimizer, "sgd, adam or adamW"),
        };
    }

    public void Dispose()
    {
        Gradients?.Dispose();
        Average?.Dispose();
        Network.Dispose();
    }
}
