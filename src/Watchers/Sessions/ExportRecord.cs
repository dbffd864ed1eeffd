using System.Collections.Immutable;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// The write-ahead record of a session's fed exports, with group commit: an export is recorded by its member's grain
/// before its first observation is sent, so a silo lost right after the export's contribution leaves a record, and
/// the next session withdraws the export if it is gone by then (otherwise nobody would know it was ever fed, and its
/// contribution would outlive it). Callers that arrive while a record is being written are covered by the next
/// single write, which carries every key added meanwhile.
/// </summary>
internal sealed class ExportRecord(Func<ImmutableArray<string>> fed, Func<ImmutableArray<string>, Task> write)
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private long _requested;
    private long _written;

    /// <summary>Returns once a record holding every key added to the fed set before this call has been written; throws if the write failed.</summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        var mine = Interlocked.Increment(ref _requested);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _written) >= mine)
            {
                return;
            }

            // Every request numbered up to here added its key before taking its number, so the snapshot holds them all.
            var upTo = Volatile.Read(ref _requested);
            await write(fed());
            Volatile.Write(ref _written, upTo);
        }
        finally
        {
            _writing.Release();
        }
    }
}
