namespace ResNetSharp.Common;

/// <summary>The process-wide settings made once, before the first network is built: <see cref="OneDnnGuard"/> and <see cref="NativeHeap"/>.</summary>
public static class ProcessSetup
{
    /// <summary>Applies both (cheap after the first call).</summary>
    public static void EnsureApplied()
    {
        OneDnnGuard.EnsureApplied();
        NativeHeap.EnsureApplied();
    }
}
