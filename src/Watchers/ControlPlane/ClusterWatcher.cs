using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.ControlPlane;

/// <summary>
/// Watches Cluster objects on the control plane and hands each to its ClusterGrain. Every silo runs one: the grains
/// are idempotent by resourceVersion, so there is no leader to lose, and the periodic resync reactivates member
/// grains that went down with a silo. Hand-overs run on a keyed queue (key: clusterKey) under the one retry contract:
/// a failed grain call comes back after its backoff, not at the next resync. It also keeps this silo's
/// <see cref="MemberCredentials"/> current, so member clients on this silo never ask a grain for a kubeconfig.
/// </summary>
public sealed partial class ClusterWatcher(
    ControlPlaneConnection controlPlane,
    MemberCredentials credentials,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILogger<ClusterWatcher> logger) : BackgroundService, IInformerHandler<ClusterResource>
{
    // Hand-overs at once: enough for a cold start of many members, few enough not to flood the silos.
    private const int Concurrency = 8;

    private readonly ConcurrentDictionary<string, ClusterSpec> _byName = new(StringComparer.Ordinal);

    // Members whose Cluster object went (or changed identity), by clusterKey, until their grain has withdrawn them.
    private readonly ConcurrentDictionary<string, ClusterSpec> _leaving = new(StringComparer.Ordinal);
    private readonly KeyedWorkQueue _handovers = new(options.Value.Retry, time, logger, "Cluster hand-overs");
    private ResourceInformer<ClusterResource>? _informer;
    private volatile bool _fed;

    /// <summary>True once the first list of Cluster objects was handed to the grains (and stays so).</summary>
    public bool Synced => _fed || (_fed = _informer?.Synced == true && _handovers.Pending == 0 && _handovers.FailingKeys == 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartAsync(stoppingToken);
        var source = ResourceSources.Custom<ClusterResource>(controlPlane.Client, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, namespaced: false, "clusters on the control plane");

        // A refusal (403) of the watch is told on this silo's Pod as well as in the log.
        var access = new ControlPlaneAccessReporter(() => controlPlane.Client, options.Value.Retry, time, logger);
        WatchState? state = null;
        state = new WatchState(() => access.Observe(state?.Error));
        _informer = new ResourceInformer<ClusterResource>(new ReportingSource<ClusterResource>(source, state, stoppingToken), this, options.Value.Informer, logger, time);
        var reporting = access.RunAsync(stoppingToken);
        var run = _informer.RunAsync(stoppingToken);
        var handovers = _handovers.RunAsync(Concurrency, HandOverAsync, stoppingToken);
        try
        {
            using var timer = new PeriodicTimer(options.Value.ResyncInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var spec in _byName.Values)
                {
                    _handovers.Add(spec.ClusterKey);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(run, handovers, reporting);
    }

    public Task OnUpsertAsync(ClusterResource obj, CancellationToken cancellationToken)
    {
        var spec = ClusterSpecMapper.From(obj);
        if (_byName.TryGetValue(spec.Name, out var previous) && previous.ClusterKey != spec.ClusterKey)
        {
            // region/zone/group changed: the member's identity changed, so the old one leaves.
            _leaving[previous.ClusterKey] = previous;
            _handovers.Add(previous.ClusterKey);
        }

        _byName[spec.Name] = spec;
        _handovers.Add(spec.ClusterKey);
        return Task.CompletedTask;
    }

    public Task OnDeleteAsync(ClusterResource lastKnown, CancellationToken cancellationToken)
    {
        var spec = ClusterSpecMapper.From(lastKnown);
        _byName.TryRemove(spec.Name, out _);
        _leaving[spec.ClusterKey] = spec;
        LogRemoved(spec.ClusterKey);
        _handovers.Add(spec.ClusterKey);
        return Task.CompletedTask;
    }

    public Task OnSyncedAsync(CancellationToken cancellationToken)
    {
        LogSynced(_byName.Count);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Brings the member's grain in line with the Cluster objects: a member that left is removed first (the grain
    /// withdraws it; its credentials go only when this silo's call returned, which is after the withdrawal was handed
    /// to its engine whichever silo's call ran it), then a current spec is upserted. Throws to be retried.
    /// </summary>
    private async Task HandOverAsync(string clusterKey, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IClusterGrain>(clusterKey);
        if (_leaving.TryGetValue(clusterKey, out var gone))
        {
            await Redacted(gone, () => grain.Remove(gone.ResourceVersion));
            credentials.Forget(clusterKey);
            _leaving.TryRemove(KeyValuePair.Create(clusterKey, gone));
        }

        if (_byName.Values.FirstOrDefault(s => s.ClusterKey == clusterKey) is not { } spec)
        {
            return;
        }

        try
        {
            // Cached per resourceVersion: a resync reads a Secret again only while it could not be used.
            await credentials.ResolveAsync(spec, refresh: false, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The member's session reports why on the Cluster; clients on this silo wait for the next resync.
            LogCredentialsUnresolved(spec.ClusterKey, CredentialRedaction.Redact(ex.Message, spec.Kubeconfig));
        }

        await Redacted(spec, () => grain.Upsert(spec));
    }

    /// <summary>A failed grain call, its message masked of the member's credentials (the queue logs it).</summary>
    private static async Task Redacted(ClusterSpec spec, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ClusterHandOverException(CredentialRedaction.Redact(ex.Message, spec.Kubeconfig));
        }
    }

    private async Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStart = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStop = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        await started.Task;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Control-plane watch synced: {Count} Cluster objects")]
    private partial void LogSynced(int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Cluster {ClusterKey} was deleted from the control plane")]
    private partial void LogRemoved(string clusterKey);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "No usable kubeconfig for Cluster {ClusterKey} yet: {Message}")]
    private partial void LogCredentialsUnresolved(string clusterKey, string message);
}

/// <summary>A Cluster could not be handed to its grain (the message is masked of credentials); retried after backoff.</summary>
public sealed class ClusterHandOverException(string message) : Exception(message);
