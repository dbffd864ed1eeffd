using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.SameName;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The silo's writer engines, one per member (key: clusterKey), started and stopped by the member's writer grain
/// as it activates and deactivates here.
/// </summary>
public sealed class MemberImportWriters(MemberClients clients, IOptions<ErieCanalOptions> options, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemberImportWriter> _writers = new(StringComparer.Ordinal);

    /// <summary>The member's running engine, started on first use.</summary>
    public MemberImportWriter Activate(string clusterKey)
    {
        lock (_gate)
        {
            if (_writers.TryGetValue(clusterKey, out var running))
            {
                return running;
            }

            var o = options.Value;
            var logger = loggers.CreateLogger<MemberImportWriter>();
            var api = new KubernetesMemberImportApi(clusterKey, () => clients.GetAsync(clusterKey), o.Informer, time, logger);
            var settings = new WriterSettings(o.WriterConcurrency, o.Retry, o.RequestTimeout);
            var sameName = o.SameNameServices
                ? new SameNameServiceWriter(clusterKey, () => clients.GetAsync(clusterKey), settings, o.Mcs, time, loggers.CreateLogger<SameNameServiceWriter>())
                : null;
            var writer = new MemberImportWriter(clusterKey, api, settings, time, logger, sameName);
            _writers[clusterKey] = writer;
            writer.Start();
            return writer;
        }
    }

    /// <summary>Stops and forgets the member's engine, if <paramref name="writer"/> is still the one registered.</summary>
    public async Task DeactivateAsync(MemberImportWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_gate)
        {
            if (!_writers.TryGetValue(writer.ClusterKey, out var registered) || registered != writer)
            {
                return;
            }

            _writers.Remove(writer.ClusterKey);
        }

        await writer.DisposeAsync();
    }

    /// <summary>The member's engine if one runs on this silo.</summary>
    public MemberImportWriter? Find(string clusterKey)
    {
        lock (_gate)
        {
            return _writers.GetValueOrDefault(clusterKey);
        }
    }

    public async ValueTask DisposeAsync()
    {
        MemberImportWriter[] all;
        lock (_gate)
        {
            all = [.. _writers.Values];
            _writers.Clear();
        }

        foreach (var writer in all)
        {
            await writer.DisposeAsync();
        }
    }
}
