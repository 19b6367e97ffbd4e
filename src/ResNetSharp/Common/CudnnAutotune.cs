namespace ResNetSharp.Common;

/// <summary>
/// cuDNN autotuning (PyTorch's <c>torch.backends.cudnn.benchmark</c>): the first convolution of each
/// shape times the available algorithms and keeps the fastest. Worth it when input shapes repeat, as in
/// training. TorchSharp does not expose the switch; it is set through libtorch's exported symbol, and
/// silently left alone where that does not resolve.
/// </summary>
public static class CudnnAutotune
{
    /// <summary>Turns autotuning on or off; returns false where libtorch's switch is not reachable.</summary>
    public static bool TrySet(bool enabled) =>
        LibTorchContext.TryCall(context => { LibTorchContext.SetBenchmarkCuDNN(context, enabled); return true; }) is true;

    /// <summary>Whether autotuning is on, or null where libtorch's switch is not reachable.</summary>
    public static bool? IsEnabled() => LibTorchContext.TryCall(LibTorchContext.BenchmarkCuDNN);
}
