using System.Diagnostics;

namespace ErieCanal.Orleans.Scale.Bench;

/// <summary>The process's live managed heap after a full blocking collection, and its working set, in bytes.</summary>
public sealed record MemorySample(long GcHeap, long WorkingSet)
{
    public static MemorySample Take()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return new MemorySample(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }
}
