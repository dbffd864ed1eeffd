using System.Diagnostics;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The silo-local engine that writes one member's ServiceImports. It takes typed decisions from the member's writer
/// grain (<see cref="Submit"/>), merges them per object, and carries them out on a de-duplicating keyed queue under
/// the one retry contract. A watch on the member's ServiceImports tells it what the member holds: a spec whose
/// content hash already matches is never applied again, and an import deleted or edited behind our back is written
/// again from the last decision held here. It never touches grain state. Once a routing patch landed it records
/// what it did to traffic: a member's endpoints failing over or back is counted, timed from the health change first
/// seen, and told on the ServiceImport as an Event (once per transition, never per retry).
/// </summary>
public sealed class MemberImportWriter : IImportWorkSink, IInformerHandler<ServiceImportResource>, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<WorkKey, ImportSlot> _imports = [];
    private readonly Dictionary<WorkKey, PatchPolicyConditions> _policies = [];
    private readonly Dictionary<WorkKey, Observed> _present = [];
    private readonly Dictionary<WorkKey, Routing> _patchedRouting = [];
    private readonly Dictionary<WorkKey, IReadOnlyDictionary<string, bool>> _failedOver = [];
    private readonly Dictionary<WorkKey, IReadOnlyDictionary<string, int>> _active = [];
    private readonly KeyedWorkQueue<WorkKey> _queue;
    private readonly IMemberImportApi _api;
    private readonly WriterSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;
    private bool _retired;
    private long _applies;
    private long _routingPatches;
    private long _deletes;
    private long _policyPatches;

    public MemberImportWriter(string clusterKey, IMemberImportApi api, WriterSettings settings, TimeProvider time, ILogger logger)
    {
        ClusterKey = clusterKey;
        _api = api;
        _settings = settings;
        _time = time;
        _logger = logger;
        _consumer = WriterMetrics.ConsumingMember(clusterKey);
        _queue = new KeyedWorkQueue<WorkKey>(settings.Retry, time, logger, $"writer of {clusterKey}");
    }

    public string ClusterKey { get; }

    /// <summary>The watch delivered its first list: what the member holds is known.</summary>
    public bool Synced => _synced.Task.IsCompleted;

    public WriterCounts Counts => new(Interlocked.Read(ref _applies), Interlocked.Read(ref _routingPatches), Interlocked.Read(ref _deletes), Interlocked.Read(ref _policyPatches));

    /// <summary>Queued or running work; retries waiting for their backoff are not counted.</summary>
    public int Pending => _queue.Pending;

    /// <summary>Keys (<c>namespace/name</c>) of the ServiceImports of this system the member holds now.</summary>
    public IReadOnlyCollection<string> PresentKeys()
    {
        lock (_gate)
        {
            return [.. _present.Keys.Select(k => $"{k.Namespace}/{k.Name}")];
        }
    }

    /// <summary>Active endpoints per service (<c>namespace/name</c>) and exporting member, as last written here.</summary>
    public IReadOnlyList<(string Service, string Member, int Count)> ActiveEndpointsByMember()
    {
        lock (_gate)
        {
            return [.. _active.SelectMany(a => a.Value.Select(m => ($"{a.Key.Namespace}/{a.Key.Name}", m.Key, m.Value)))];
        }
    }

    /// <summary>Starts the workers and the watch, off any caller's scheduler.</summary>
    public void Start()
    {
        WriterMetrics.Track(this);
        var workers = Task.Run(() => _queue.RunAsync(_settings.Concurrency, WorkAsync, _stop.Token));
        var watch = Task.Run(WatchAsync);
        _running = Task.WhenAll(workers, watch);
    }

    public void Submit(ImportWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var target = work is PatchPolicyConditions ? WorkTarget.TrafficPolicy : WorkTarget.ServiceImport;
        var key = new WorkKey(target, work.Namespace, work.Name);
        lock (_gate)
        {
            if (_retired)
            {
                return;
            }

            switch (work)
            {
                case ApplyImport apply:
                    _imports[key] = (_imports.GetValueOrDefault(key) ?? new ImportSlot()) with { Apply = apply, Delete = false };
                    break;
                case PatchRouting routing:
                    // Causes of a routing not written yet stay known: the Event of the transition still needs them.
                    var slot = _imports.GetValueOrDefault(key) ?? new ImportSlot();
                    var causes = slot.Routing is { } pending ? pending.Causes.SetItems(routing.Causes) : routing.Causes;
                    _imports[key] = slot with { Routing = routing with { Causes = causes } };
                    break;
                case DeleteImport:
                    _imports[key] = new ImportSlot { Delete = true };
                    break;
                case PatchPolicyConditions policy:
                    _policies[key] = policy;
                    break;
            }
        }

        _queue.Add(key);
    }

    /// <summary>
    /// Level-triggered check (the grain's repair): queue every held import the member does not hold as decided, spec
    /// or routing. A routing this engine patched but the member no longer shows was overwritten behind its back (say,
    /// by a second activation of the writer while a silo was being declared dead) and is patched again.
    /// </summary>
    public void Resync()
    {
        List<WorkKey> stale = [];
        List<WorkKey> routingDrift = [];
        lock (_gate)
        {
            foreach (var (key, slot) in _imports)
            {
                if (slot.Apply is not { } apply)
                {
                    continue;
                }

                if (!_present.TryGetValue(key, out var seen) || seen.SpecHash != apply.SpecHash)
                {
                    stale.Add(key);
                }
                else if (slot.Routing is { } routing && _patchedRouting.TryGetValue(key, out var patched)
                    && patched == routing.Routing && seen.Routing != routing.Routing)
                {
                    _patchedRouting.Remove(key);
                    routingDrift.Add(key);
                }
            }
        }

        foreach (var key in routingDrift)
        {
            _logger.Drifted(ClusterKey, key.Namespace, key.Name, "routing changed");
        }

        stale.Concat(routingDrift).ToList().ForEach(_queue.Add);
    }

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
        lock (_gate)
        {
            _retired = true;
            _imports.Clear();
            _policies.Clear();
        }

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
    }

    private async Task WorkAsync(WorkKey key, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(key, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            WriterMetrics.Failures.Add(1, _consumer);
            throw;
        }
    }

    private async Task WriteAsync(WorkKey key, CancellationToken cancellationToken)
    {
        // What the member holds must be known first, or every unchanged import would be applied again on a start.
        await _synced.Task.WaitAsync(cancellationToken);
        if (key.Target == WorkTarget.TrafficPolicy)
        {
            await WritePolicyAsync(key, cancellationToken);
            return;
        }

        ImportSlot? slot;
        Observed? seen;
        Routing? patched;
        lock (_gate)
        {
            _imports.TryGetValue(key, out slot);
            _present.TryGetValue(key, out seen);
            _patchedRouting.TryGetValue(key, out patched);
        }

        if (slot is null)
        {
            return;
        }

        if (slot.Delete)
        {
            // The watch is synced: an import the member does not hold needs no call.
            if (seen is not null)
            {
                using var span = StartSpan("ServiceImport.Delete", key, null);
                await Traced(span, _api.DeleteAsync(key.Namespace, key.Name, cancellationToken));
                WriterMetrics.Deletes.Add(1, _consumer);
                Interlocked.Increment(ref _deletes);
            }

            lock (_gate)
            {
                _present.Remove(key);
                _patchedRouting.Remove(key);
                _failedOver.Remove(key);
                _active.Remove(key);
                if (_imports.TryGetValue(key, out var now) && now == slot)
                {
                    _imports.Remove(key);
                }
            }

            return;
        }

        if (slot.Apply is not { } apply)
        {
            // Routing only: it lands once the spec is decided.
            return;
        }

        var applied = false;
        WorkOrigin? landed = null;
        if (seen?.SpecHash != apply.SpecHash)
        {
            var started = _time.GetTimestamp();
            using (var span = StartSpan("ServiceImport.Apply", key, apply.Origin))
            {
                await Traced(span, _api.ApplyAsync(apply.Document, cancellationToken));
            }

            WriterMetrics.WriteLatency.Record(_time.GetElapsedTime(started).TotalMilliseconds, _consumer);
            WriterMetrics.SpecApplies.Add(1, _consumer);
            landed = apply.Origin;
            Interlocked.Increment(ref _applies);
            applied = true;
            lock (_gate)
            {
                _present[key] = new Observed(apply.SpecHash, seen?.Routing);
            }
        }

        if (slot.Routing is { } routing)
        {
            var alreadyThere = !applied && seen?.Routing == routing.Routing;
            if (patched != routing.Routing && !alreadyThere)
            {
                using (var span = StartSpan("ServiceImport.PatchRouting", key, routing.Origin))
                {
                    await Traced(span, _api.PatchRoutingAsync(key.Namespace, key.Name, routing.Routing, cancellationToken));
                }

                WriterMetrics.RoutingPatches.Add(1, _consumer);
                Interlocked.Increment(ref _routingPatches);
                landed = Newer(landed, routing.Origin);
            }

            var after = RoutingStates.FailedOver(routing.Routing);
            IReadOnlyDictionary<string, bool>? before;
            lock (_gate)
            {
                _patchedRouting[key] = routing.Routing;
                before = _failedOver.TryGetValue(key, out var known) ? known : seen?.Routing is { } held ? RoutingStates.FailedOver(held) : null;
                _failedOver[key] = after;
                _active[key] = RoutingStates.ActiveByMember(routing.Routing);
            }

            // A routing seen for the first time is no transition: the member never had the other one.
            if (before is not null)
            {
                await RecordTransitionsAsync(key, routing, before, after);
            }
        }

        if (landed is { ObservedAt: var observed } && observed != default)
        {
            WriterMetrics.PropagationLatency.Record(Math.Max(0, (_time.GetUtcNow() - observed).TotalSeconds), _consumer);
        }
    }

    /// <summary>Counts, times and tells (as an Event on the import) each member that failed over or back in this routing.</summary>
    private async Task RecordTransitionsAsync(WorkKey key, PatchRouting routing, IReadOnlyDictionary<string, bool> before, IReadOnlyDictionary<string, bool> after)
    {
        var service = $"{key.Namespace}/{key.Name}";
        foreach (var (member, failedOver) in RoutingStates.Transitions(before, after))
        {
            var now = _time.GetUtcNow();
            var cause = routing.Causes.GetValueOrDefault(member);
            var direction = failedOver ? "failover" : "failback";
            var memberTag = new KeyValuePair<string, object?>("member", member);
            var directionTag = new KeyValuePair<string, object?>("direction", direction);
            WriterMetrics.Failovers.Add(1, memberTag, new("service", service), new("reason", cause?.Reason ?? RoutingEvents.UnknownReason), directionTag);
            if (cause is { Since: var since } && since != default)
            {
                WriterMetrics.FailoverDuration.Record(Math.Max(0, (now - since).TotalSeconds), memberTag, _consumer, directionTag);
            }

            var reason = failedOver ? RoutingEvents.FailedOver : RoutingEvents.FailedBack;
            var message = RoutingEvents.Message(member, failedOver, cause, routing.Routing, now);
            _logger.RoutingTransition(ClusterKey, key.Namespace, key.Name, reason, message);
            try
            {
                // Best effort and once: the routing is what matters, and a retried Event would tell the story twice.
                await _api.RecordEventAsync(key.Namespace, key.Name, failedOver, reason, message, _stop.Token);
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                _logger.EventFailed(ClusterKey, key.Namespace, key.Name, reason, ex.Message);
            }
        }
    }

    private Activity? StartSpan(string name, WorkKey key, WorkOrigin? origin)
    {
        var span = WriterMetrics.Source.StartActivity(name, ActivityKind.Client, origin?.Parent ?? default);
        span?.SetTag("eriecanal.member", ClusterKey);
        span?.SetTag("eriecanal.service", $"{key.Namespace}/{key.Name}");
        return span;
    }

    private static async Task Traced(Activity? span, Task write)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private static WorkOrigin? Newer(WorkOrigin? a, WorkOrigin? b) => a is null ? b : b is null ? a : b.ObservedAt > a.ObservedAt ? b : a;

    private async Task WritePolicyAsync(WorkKey key, CancellationToken cancellationToken)
    {
        PatchPolicyConditions? policy;
        lock (_gate)
        {
            _policies.TryGetValue(key, out policy);
        }

        if (policy is not null)
        {
            await _api.SetPolicyConditionsAsync(policy, cancellationToken);
            Interlocked.Increment(ref _policyPatches);
        }
    }

    private async Task WatchAsync()
    {
        var attempt = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _api.WatchAsync(this, _stop.Token);
                return;
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                // Not connected yet (no client for the member): try again shortly.
                _logger.WatchUnavailable(ClusterKey, ex.Message);
                try
                {
                    await Task.Delay(_settings.Retry.DelayAfter(++attempt), _time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public Task OnUpsertAsync(ServiceImportResource obj, CancellationToken cancellationToken)
    {
        if (!IsOurs(obj))
        {
            return Task.CompletedTask;
        }

        var key = KeyOf(obj);
        var hash = obj.Metadata.Annotations is { } annotations && annotations.TryGetValue(ServiceImportResource.SpecHashAnnotation, out var h) ? h : null;
        bool drifted;
        lock (_gate)
        {
            _present[key] = new Observed(hash, RoutingJson.FromStored(obj.Status?.Routing));
            drifted = Synced && _imports.TryGetValue(key, out var slot) && slot.Apply is { } apply && apply.SpecHash != hash;
        }

        if (drifted)
        {
            _logger.Drifted(ClusterKey, key.Namespace, key.Name, "edited");
            _queue.Add(key);
        }

        return Task.CompletedTask;
    }

    public Task OnDeleteAsync(ServiceImportResource lastKnown, CancellationToken cancellationToken)
    {
        var key = KeyOf(lastKnown);
        bool wanted;
        lock (_gate)
        {
            _present.Remove(key);
            _patchedRouting.Remove(key);
            _failedOver.Remove(key);
            _active.Remove(key);
            wanted = _imports.TryGetValue(key, out var slot) && slot.Apply is not null;
        }

        if (wanted)
        {
            _logger.Drifted(ClusterKey, key.Namespace, key.Name, "deleted");
            _queue.Add(key);
        }

        return Task.CompletedTask;
    }

    public Task OnSyncedAsync(CancellationToken cancellationToken)
    {
        _synced.TrySetResult();
        Resync();
        return Task.CompletedTask;
    }

    private static bool IsOurs(ServiceImportResource obj) =>
        obj.Metadata.Labels is { } labels && labels.TryGetValue(ServiceImportResource.ManagedByLabel, out var owner) && owner == ServiceImportResource.ManagedByValue;

    private static WorkKey KeyOf(ServiceImportResource obj) => new(WorkTarget.ServiceImport, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);

    /// <summary>The latest decision for one ServiceImport: its spec and routing, or its deletion.</summary>
    private sealed record ImportSlot
    {
        public ApplyImport? Apply { get; init; }

        public PatchRouting? Routing { get; init; }

        public bool Delete { get; init; }
    }

    /// <summary>What the member holds: the spec hash annotation and status.routing, read back as a value.</summary>
    private sealed record Observed(string? SpecHash, Routing? Routing);
}
