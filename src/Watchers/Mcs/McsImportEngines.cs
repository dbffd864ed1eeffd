using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The silo's MCS import engines (<see cref="MemberMcsWriter"/>), one per member (key: clusterKey), driven by the
/// member's MCS import writer grain: started on activation, stopped once their work settled on deactivation, and
/// told to remove what they wrote when the member leaves.
/// </summary>
public sealed class McsImportEngines(MemberClients clients, IOptions<ErieCanalOptions> options, TimeProvider time, ILoggerFactory loggers) : IMcsImportEngines, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemberMcsWriter> _writers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<McsImportEngines>();

    public IMcsImportWorkSink Activate(string clusterKey)
    {
        lock (_gate)
        {
            if (!_writers.TryGetValue(clusterKey, out var writer))
            {
                var o = options.Value;
                writer = new MemberMcsWriter(clusterKey, new KubernetesMemberMcsApi(() => clients.GetAsync(clusterKey), time,
                    o.Mcs.ProxyListeners ? ProxyListenerPorts.For(ProxyListeners.McsKind, o.Mcs.ProxyListenerFirstPort, o.Mcs.ProxyListenerLastPort) : null),
                    new WriterSettings(o.WriterConcurrency, o.Retry, o.RequestTimeout), o.Mcs, time, loggers.CreateLogger<MemberMcsWriter>());
                _writers[clusterKey] = writer;
                writer.Start();
            }

            return writer;
        }
    }

    public async Task DeactivateAsync(IMcsImportWorkSink engine)
    {
        if (engine is not MemberMcsWriter writer)
        {
            return;
        }

        await writer.WhenSettledAsync().WaitAsync(options.Value.RequestTimeout, time, CancellationToken.None)
            .ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        lock (_gate)
        {
            if (!_writers.TryGetValue(writer.ClusterKey, out var held) || held != writer)
            {
                return;
            }

            _writers.Remove(writer.ClusterKey);
        }

        await writer.DisposeAsync();
    }

    /// <summary>
    /// Bounded, and never fails the member's teardown: an unreachable member keeps what was written (as the flomesh
    /// writer's retirement does), reported once.
    /// </summary>
    public async Task RetireAsync(IMcsImportWorkSink engine)
    {
        if (engine is not MemberMcsWriter writer)
        {
            return;
        }

        try
        {
            await writer.RetireAsync(CancellationToken.None).WaitAsync(options.Value.RequestTimeout * 2, time);
        }
        catch (Exception ex)
        {
            _logger.McsRetireFailed(writer.ClusterKey, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        MemberMcsWriter[] all;
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
