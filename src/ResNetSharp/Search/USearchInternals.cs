using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace ResNetSharp.Search;

/// <summary>
/// What USearch's native library offers but its C# binding (Cloud.Unum.USearch 2.26.6) does not expose:
/// reserving capacity ahead of parallel inserts, and the search-time expansion (HNSW's ef). Reached through
/// the binding's native handle. Should a later binding hide the handle under another name,
/// <see cref="Available"/> turns false and callers fall back to what the public API does (tested).
/// </summary>
internal static class USearchInternals
{
    private const string Library = "libusearch_c";

    private static readonly FieldInfo? HandleField = typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>Whether the native handle can be reached.</summary>
    public static bool Available => HandleField?.FieldType == typeof(IntPtr);

    /// <summary>Grows the graph to hold <paramref name="capacity"/> vectors; false when unavailable.</summary>
    public static bool Reserve(USearchIndex index, ulong capacity)
    {
        if (!TryHandle(index, out var handle))
            return false;
        usearch_reserve(handle, (UIntPtr)capacity, out var error);
        ThrowOnError(error);
        return true;
    }

    /// <summary>Sets how many candidates a search explores (0: USearch's default); false when unavailable.</summary>
    public static bool SetExpansionSearch(USearchIndex index, int expansion)
    {
        if (!TryHandle(index, out var handle))
            return false;
        usearch_change_expansion_search(handle, (UIntPtr)(uint)expansion, out var error);
        ThrowOnError(error);
        return true;
    }

    /// <summary>The search expansion in effect, or null when unavailable.</summary>
    public static int? ExpansionSearch(USearchIndex index)
    {
        if (!TryHandle(index, out var handle))
            return null;
        var value = usearch_expansion_search(handle, out var error);
        ThrowOnError(error);
        return (int)value;
    }

    /// <summary>Bytes the graph and vectors occupy in memory (mapped pages of a view included), or null when unavailable.</summary>
    public static long? MemoryUsage(USearchIndex index)
    {
        if (!TryHandle(index, out var handle))
            return null;
        var value = usearch_memory_usage(handle, out var error);
        ThrowOnError(error);
        return (long)value;
    }

    private static bool TryHandle(USearchIndex index, out IntPtr handle)
    {
        handle = Available && HandleField!.GetValue(index) is IntPtr value ? value : IntPtr.Zero;
        return handle != IntPtr.Zero;
    }

    private static void ThrowOnError(IntPtr error)
    {
        if (error != IntPtr.Zero)
            throw new USearchException($"USearch operation failed: {Marshal.PtrToStringAnsi(error)}");
    }

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_reserve(IntPtr index, UIntPtr capacity, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_change_expansion_search(IntPtr index, UIntPtr expansion, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern UIntPtr usearch_expansion_search(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern UIntPtr usearch_memory_usage(IntPtr index, out IntPtr error);
}
