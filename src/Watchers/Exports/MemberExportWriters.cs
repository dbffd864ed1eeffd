using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Exports;

/// <summary>
/// The silo's export engines, one per member (key: clusterKey), held by the member's export grains active here: the
/// first one to activate starts it, and once the last one has deactivated it stops when its work has settled.
/// </summary>
public sealed class MemberExportWriters(MemberClients clients, IOptions<ErieCanalOptions> options, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The member's running engine, started on first use; each call is matched by one <see cref="Release"/>.</summary>
    public MemberExportWriter Acquire(string clusterKey)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(clusterKey, out var entry))
            {
                var o = options.Value;
                var api = new KubernetesMemberExportApi(() => clients.GetAsync(clusterKey), time);
                var writer = new MemberExportWriter(clusterKey, api, new WriterSettings(o.WriterConcurrency, o.Retry, o.RequestTimeout), time, loggers.CreateLogger<MemberExportWriter>());
                _entries[clusterKey] = entry = new Entry(writer);
                writer.Start();
            }

            entry.Holders++;
            return entry.Writer;
        }
    }

    /// <summary>One holder fewer; the last one's release stops the engine once its work has settled (bounded).</summary>
    public void Release(MemberExportWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_gate)
        {
            if (!_entries.TryGetValue(writer.ClusterKey, out var entry) || entry.Writer != writer || --entry.Holders > 0)
            {
                return;
            }
        }

        // Off the releasing grain's scheduler: the wait is the member's I/O.
        _ = Task.Run(() => StopWhenSettledAsync(writer));
    }

    public async ValueTask DisposeAsync()
    {
        MemberExportWriter[] all;
        lock (_gate)
        {
            all = [.. _entries.Values.Select(e => e.Writer)];
            _entries.Clear();
        }

        foreach (var writer in all)
        {
            await writer.DisposeAsync();
        }
    }

    private async Task StopWhenSettledAsync(MemberExportWriter writer)
    {
        // Work already decided still lands (the Ingress of an export just deleted, say); a silent member does not hold it.
        await writer.WhenSettledAsync().WaitAsync(options.Value.RequestTimeout, time, CancellationToken.None)
            .ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        lock (_gate)
        {
            if (!_entries.TryGetValue(writer.ClusterKey, out var entry) || entry.Writer != writer || entry.Holders > 0)
            {
                return;
            }

            _entries.Remove(writer.ClusterKey);
        }

        await writer.DisposeAsync();
    }

    private sealed class Entry(MemberExportWriter writer)
    {
        public MemberExportWriter Writer { get; } = writer;

        public int Holders { get; set; }
    }
}
