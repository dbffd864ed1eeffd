using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.SameName;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The silo-local engine that writes one member's ServiceImports: typed decisions from the member's writer grain
/// (<see cref="Submit"/>) are held per object (<see cref="HeldDecisions"/>) and carried out on a de-duplicating keyed
/// queue under the one retry contract: queue → write → record. What the member holds and its drift come from
/// <see cref="ImportDriftWatch"/>; what a landed routing did to traffic is told by <see cref="FailoverRecorder"/>.
/// It never touches grain state. The queue never runs a key twice at once, so a write needs no lock of its own.
/// </summary>
public sealed class MemberImportWriter : IImportWorkSink, IAsyncDisposable
{
    private readonly HeldDecisions _decisions = new();
    private readonly ImportDriftWatch _watch;
    private readonly FailoverRecorder _failovers;
    private readonly KeyedWorkQueue<WorkKey> _queue;
    private readonly IMemberImportApi _api;
    private readonly SameNameServiceWriter? _sameName;
    private readonly WriterSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private long _applies;
    private long _routingPatches;
    private long _deletes;
    private long _policyPatches;

    public MemberImportWriter(string clusterKey, IMemberImportApi api, WriterSettings settings, TimeProvider time, ILogger logger, SameNameServiceWriter? sameName = null)
    {
        _sameName = sameName;
        ClusterKey = clusterKey;
        _api = api;
        _settings = settings;
        _time = time;
        _logger = logger;
        _consumer = WriterMetrics.ConsumingMember(clusterKey);
        _queue = new KeyedWorkQueue<WorkKey>(settings.Retry, time, logger, $"writer of {clusterKey}");
        _failovers = new FailoverRecorder(clusterKey, api, time, logger);
        _watch = new ImportDriftWatch(clusterKey, _decisions, _queue.Add, _failovers.Forget, logger);
    }

    public string ClusterKey { get; }

    /// <summary>The watch delivered its first list: what the member holds is known.</summary>
    public bool Synced => _watch.Synced;

    public WriterCounts Counts => new(Interlocked.Read(ref _applies), Interlocked.Read(ref _routingPatches), Interlocked.Read(ref _deletes), Interlocked.Read(ref _policyPatches));

    /// <summary>Queued or running work; retries waiting for their backoff are not counted.</summary>
    public int Pending => _queue.Pending;

    /// <summary>Keys (<c>namespace/name</c>) of the ServiceImports of this system the member holds now.</summary>
    public IReadOnlyCollection<string> PresentKeys() => _watch.PresentKeys();

    /// <summary>Active endpoints per service (<c>namespace/name</c>) and exporting member, as last written here.</summary>
    public IReadOnlyList<(string Service, string Member, int Count)> ActiveEndpointsByMember() => _failovers.ActiveEndpointsByMember();

    /// <summary>Starts the workers and the watch, off any caller's scheduler.</summary>
    public void Start()
    {
        WriterMetrics.Track(this);
        var workers = Task.Run(() => _queue.RunAsync(_settings.Concurrency, WorkAsync, _stop.Token));
        var watch = Task.Run(() => _watch.RunAsync(_api, _settings.Retry, _time, _stop.Token));
        _sameName?.Start();
        _running = Task.WhenAll(workers, watch);
    }

    public void Submit(ImportWork work)
    {
        if (_decisions.Hold(work) is { } key)
        {
            _queue.Add(key);
        }
    }

    /// <inheritdoc cref="ImportDriftWatch.Resync"/>
    public void Resync() => _watch.Resync();

    /// <summary>The member left: stop taking work, let the writes in flight end, then delete every ServiceImport of ours.</summary>
    public Task RetireAsync() => Task.Run(RetireCoreAsync);

    /// <summary>Stops the workers and the watch; writes in flight are cancelled and awaited (bounded).</summary>
    public Task StopAsync() => Task.Run(StopCoreAsync);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
    }

    private async Task RetireCoreAsync()
    {
        _decisions.Retire();
        await StopCoreAsync();
        try
        {
            foreach (var (ns, name) in await _api.ListManagedAsync(CancellationToken.None))
            {
                await _api.DeleteAsync(ns, name, CancellationToken.None);
                Interlocked.Increment(ref _deletes);
            }
        }
        catch (Exception ex)
        {
            _logger.RetireFailed(ClusterKey, ex.Message);
        }
    }

    private async Task StopCoreAsync()
    {
        WriterMetrics.Untrack(this);
        await _stop.CancelAsync();
        _queue.Complete();
        await _running.WaitAsync(_settings.StopTimeout, CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (_sameName is not null)
        {
            await _sameName.DisposeAsync();
        }
    }

    private async Task WorkAsync(WorkKey key, CancellationToken cancellationToken)
    {
        try
        {
            // What the member holds must be known first, or every unchanged import would be applied again on a start.
            await _watch.WaitSyncedAsync(cancellationToken);
            if (key.Target == WorkTarget.TrafficPolicy)
            {
                await WritePolicyAsync(key, cancellationToken);
            }
            else if (_decisions.Import(key) is { } slot)
            {
                await WriteImportAsync(key, slot, cancellationToken);
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            WriterMetrics.Failures.Add(1, _consumer);
            throw;
        }
    }

    private async Task WriteImportAsync(WorkKey key, ImportSlot slot, CancellationToken cancellationToken)
    {
        var seen = _watch.View(key);
        if (slot.Delete)
        {
            // The watch is synced: an import the member does not hold needs no call.
            if (seen is not null)
            {
                await WriterMetrics.Traced("ServiceImport.Delete", ClusterKey, key, null, () => _api.DeleteAsync(key.Namespace, key.Name, cancellationToken));
                WriterMetrics.Deletes.Add(1, _consumer);
                Interlocked.Increment(ref _deletes);
            }

            _watch.Forget(key);
            _failovers.Forget(key);
            _sameName?.Forget(key.Namespace, key.Name);
            _decisions.Deleted(key, slot);
            return;
        }

        if (slot.Apply is not { } apply)
        {
            // Routing only: it lands once the spec is decided.
            return;
        }

        var applied = seen?.SpecHash != apply.SpecHash;
        WorkOrigin? landed = null;
        var uid = seen?.Uid;
        if (applied)
        {
            var started = _time.GetTimestamp();
            uid = await WriterMetrics.Traced("ServiceImport.Apply", ClusterKey, key, apply.Origin, () => _api.ApplyAsync(apply.Document, cancellationToken)) ?? uid;
            WriterMetrics.WriteLatency.Record(_time.GetElapsedTime(started).TotalMilliseconds, _consumer);
            WriterMetrics.SpecApplies.Add(1, _consumer);
            Interlocked.Increment(ref _applies);
            landed = apply.Origin;
            _watch.Applied(key, apply.SpecHash, seen?.Shown, uid);
        }

        // An import this engine just created has no same-name Service of ours yet: the writer may create without reading.
        FrontWithSameName(key, apply.Document, uid, fresh: seen is null);

        if (slot.Routing is { } routing)
        {
            // An omitted routing needs a patch only to remove one the member shows (a fresh import shows none).
            var stored = routing.Stored;
            var write = stored is null
                ? seen?.Shown is not null
                : seen?.Patched != stored && (applied || seen?.Shown != stored);
            if (write)
            {
                await WriterMetrics.Traced("ServiceImport.PatchRouting", ClusterKey, key, routing.Origin, () => _api.PatchRoutingAsync(key.Namespace, key.Name, stored, cancellationToken));
                WriterMetrics.RoutingPatches.Add(1, _consumer);
                Interlocked.Increment(ref _routingPatches);
                landed = Newer(landed, routing.Origin);
            }

            _watch.Patched(key, stored);
            await _failovers.LandedAsync(key, routing, seen?.Shown, cancellationToken);
        }

        if (landed is { ObservedAt: var observed } && observed != default)
        {
            WriterMetrics.PropagationLatency.Record(Math.Max(0, (_time.GetUtcNow() - observed).TotalSeconds), _consumer);
        }
    }

    // Once the member holds the import: the same-name writer reads it for the owner reference.
    private void FrontWithSameName(WorkKey key, ServiceImportResource document, string? uid, bool fresh)
    {
        if (_sameName is null)
        {
            return;
        }

        if (document.Spec?.Type == "Headless" || document.Spec?.Ports is not { Count: > 0 } ports)
        {
            _sameName.Forget(key.Namespace, key.Name);
            return;
        }

        _sameName.Want(key.Namespace, key.Name, [.. ports.Select(p => new McsPort(p.Name ?? "", string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, p.Port, p.AppProtocol))], uid, fresh);
    }

    private static WorkOrigin? Newer(WorkOrigin? a, WorkOrigin? b) => a is null ? b : b is null ? a : b.ObservedAt > a.ObservedAt ? b : a;

    private async Task WritePolicyAsync(WorkKey key, CancellationToken cancellationToken)
    {
        if (_decisions.Policy(key) is { } policy)
        {
            await _api.SetPolicyConditionsAsync(policy, cancellationToken);
            Interlocked.Increment(ref _policyPatches);
        }
    }
}
