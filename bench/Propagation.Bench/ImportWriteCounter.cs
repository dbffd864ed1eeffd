using System.Diagnostics;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// Counts the ServiceImport changes committed in every member's store, from the outside: each commit's object is
/// compared with the one it replaced. The store commits only what changes something, so a write that changed nothing
/// (a no-op apply or patch) is not seen here; a request counter in the sandbox would be needed for those.
/// </summary>
public sealed class ImportWriteCounter : IDisposable
{
    /// <summary>The sandbox store's key for flomesh.io ServiceImports.</summary>
    public const string StorageKey = "serviceimports.flomesh.io";

    private static readonly string[] OwnMetadata = ["labels", "annotations", "finalizers", "ownerReferences", "deletionTimestamp"];

    private readonly IReadOnlyList<ObjectStore> _stores;
    private readonly long[] _counts = new long[Enum.GetValues<ImportWriteKind>().Length];
    private long _lastCommit = Stopwatch.GetTimestamp();

    public ImportWriteCounter(IReadOnlyList<ObjectStore> stores)
    {
        _stores = stores;
        foreach (var store in _stores)
        {
            store.Committed += OnCommitted;
        }
    }

    /// <summary>The <see cref="Stopwatch"/> time of the last ServiceImport change in any member (of subscribing, before one).</summary>
    public long LastCommit => Volatile.Read(ref _lastCommit);

    /// <summary>How long since the last ServiceImport change in any member.</summary>
    public TimeSpan SinceLastCommit => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastCommit));

    /// <summary>The counts since the last call (or since subscribing), and starts a new window.</summary>
    public ImportWriteCounts Take()
    {
        long Next(ImportWriteKind kind) => Interlocked.Exchange(ref _counts[(int)kind], 0);
        return new ImportWriteCounts(Next(ImportWriteKind.Create), Next(ImportWriteKind.Spec), Next(ImportWriteKind.Metadata),
            Next(ImportWriteKind.Status), Next(ImportWriteKind.Bookkeeping), Next(ImportWriteKind.Delete));
    }

    /// <summary>Waits until no ServiceImport changed for <paramref name="quiet"/>; false when the timeout came first.</summary>
    public async Task<bool> WaitQuietAsync(TimeSpan quiet, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (SinceLastCommit < quiet)
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken);
        }

        return true;
    }

    public static ImportWriteKind Classify(StoreEvent e)
    {
        if (e.Type == StoreEventType.Added || e.Previous is null)
        {
            return ImportWriteKind.Create;
        }

        if (e.Type == StoreEventType.Deleted)
        {
            return ImportWriteKind.Delete;
        }

        var before = e.Previous;
        var after = e.Object;
        if (!JsonNode.DeepEquals(before["spec"], after["spec"]))
        {
            return ImportWriteKind.Spec;
        }

        if (OwnMetadata.Any(field => !JsonNode.DeepEquals(before["metadata"]?[field], after["metadata"]?[field])))
        {
            return ImportWriteKind.Metadata;
        }

        return JsonNode.DeepEquals(before["status"], after["status"]) ? ImportWriteKind.Bookkeeping : ImportWriteKind.Status;
    }

    // Runs under the store's lock on the writer's thread: a few small comparisons, nothing more.
    private void OnCommitted(StoreEvent e)
    {
        if (e.StorageKey != StorageKey)
        {
            return;
        }

        Interlocked.Increment(ref _counts[(int)Classify(e)]);
        Volatile.Write(ref _lastCommit, Stopwatch.GetTimestamp());
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Committed -= OnCommitted;
        }
    }
}
