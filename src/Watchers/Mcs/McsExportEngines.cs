using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The silo's MCS export engines, one per member (key: clusterKey), held by the member's MCS export grains active
/// here: the first one to activate starts it, and once the last one has deactivated it stops when its work has
/// settled (the shape of the flomesh <c>MemberExportWriters</c>).
/// </summary>
public sealed class McsExportEngines(MemberClients clients, IOptions<ErieCanalOptions> options, TimeProvider time, ILoggerFactory loggers) : IMcsExportEngines, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Makes a member's API (tests replace it); by default the member's client from <see cref="MemberClients"/>.</summary>
    public Func<string, IMemberMcsExportApi>? ApiFactory { get; init; }

    public IMcsExportWorkSink Acquire(string clusterKey)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(clusterKey, out var entry))
            {
                var o = options.Value;
                var api = ApiFactory?.Invoke(clusterKey) ?? new KubernetesMemberMcsExportApi(() => clients.GetAsync(clusterKey), time);
                var writer = new MemberMcsExportWriter(clusterKey, api, new WriterSettings(o.WriterConcurrency, o.Retry, o.RequestTimeout), time, loggers.CreateLogger<MemberMcsExportWriter>());
                _entries[clusterKey] = entry = new Entry(writer);
                writer.Start();
            }

            entry.Holders++;
            return entry.Writer;
        }
    }

    public void Release(IMcsExportWorkSink engine)
    {
        if (engine is not MemberMcsExportWriter writer)
        {
            return;
        }

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

    public Task WhenSettledAsync(IMcsExportWorkSink engine, string ns, string name) =>
        engine is MemberMcsExportWriter writer ? writer.WhenSettledAsync(ns, name) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        MemberMcsExportWriter[] all;
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

    private async Task StopWhenSettledAsync(MemberMcsExportWriter writer)
    {
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

    private sealed class Entry(MemberMcsExportWriter writer)
    {
        public MemberMcsExportWriter Writer { get; } = writer;

        public int Holders { get; set; }
    }
}
