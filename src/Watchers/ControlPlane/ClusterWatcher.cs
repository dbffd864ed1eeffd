using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.ControlPlane;

/// <summary>
/// Watches Cluster objects on the control plane and feeds each to its ClusterGrain. Every silo runs one: the grains
/// are idempotent by resourceVersion, so there is no leader to lose, and the periodic resync reactivates member
/// grains that went down with a silo. It also keeps this silo's <see cref="MemberCredentials"/> current, so member
/// clients on this silo never ask a grain for a kubeconfig.
/// </summary>
public sealed partial class ClusterWatcher(
    ControlPlaneConnection controlPlane,
    MemberCredentials credentials,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<ErieCanalOptions> options,
    ILogger<ClusterWatcher> logger) : BackgroundService, IInformerHandler<ClusterResource>
{
    private readonly ConcurrentDictionary<string, ClusterSpec> _byName = new(StringComparer.Ordinal);
    private ResourceInformer<ClusterResource>? _informer;

    /// <summary>True once the first list of Cluster objects was fed to the grains.</summary>
    public bool Synced => _informer?.Synced == true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartAsync(stoppingToken);
        var source = ResourceSources.Custom<ClusterResource>(controlPlane.Client, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, namespaced: false, "clusters on the control plane");
        _informer = new ResourceInformer<ClusterResource>(source, this, options.Value.Informer, logger);
        var run = _informer.RunAsync(stoppingToken);
        try
        {
            using var timer = new PeriodicTimer(options.Value.ResyncInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var spec in _byName.Values)
                {
                    await UpsertAsync(spec);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await run;
    }

    public async Task OnUpsertAsync(ClusterResource obj, CancellationToken cancellationToken)
    {
        var spec = ClusterSpecMapper.From(obj);
        if (_byName.TryGetValue(spec.Name, out var previous) && previous.ClusterKey != spec.ClusterKey)
        {
            // region/zone/group changed: the member's identity changed, so the old one leaves.
            await RemoveAsync(previous);
        }

        _byName[spec.Name] = spec;
        await UpsertAsync(spec);
    }

    public async Task OnDeleteAsync(ClusterResource lastKnown, CancellationToken cancellationToken)
    {
        var spec = ClusterSpecMapper.From(lastKnown);
        _byName.TryRemove(spec.Name, out _);
        LogRemoved(spec.ClusterKey);
        await RemoveAsync(spec);
    }

    /// <summary>
    /// The grain withdraws the member first (it needs the member's client for that); the credentials go only when
    /// this silo's call returned, which is after the withdrawal whichever silo's call ran it.
    /// </summary>
    private async Task RemoveAsync(ClusterSpec spec)
    {
        try
        {
            await grains.GetGrain<IClusterGrain>(spec.ClusterKey).Remove(spec.ResourceVersion);
        }
        finally
        {
            credentials.Forget(spec.ClusterKey);
        }
    }

    public Task OnSyncedAsync(CancellationToken cancellationToken)
    {
        LogSynced(_byName.Count);
        return Task.CompletedTask;
    }

    private async Task UpsertAsync(ClusterSpec spec)
    {
        try
        {
            // Cached per resourceVersion: a resync reads a Secret again only while it could not be used.
            await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The member's session reports why on the Cluster; clients on this silo wait for the next resync.
            LogCredentialsUnresolved(spec.ClusterKey, CredentialRedaction.Redact(ex.Message, spec.Kubeconfig));
        }

        try
        {
            await grains.GetGrain<IClusterGrain>(spec.ClusterKey).Upsert(spec);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next resync retries; a silo being shut down is the usual cause.
            LogUpsertFailed(spec.ClusterKey, CredentialRedaction.Redact(ex.Message, spec.Kubeconfig));
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

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Could not hand Cluster {ClusterKey} to its grain; the next resync retries: {Message}")]
    private partial void LogUpsertFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "No usable kubeconfig for Cluster {ClusterKey} yet: {Message}")]
    private partial void LogCredentialsUnresolved(string clusterKey, string message);
}
