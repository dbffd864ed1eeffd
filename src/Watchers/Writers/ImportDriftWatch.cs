using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// The engine's watch on its member's ServiceImports: what the member holds, so an unchanged spec is never applied
/// again, and drift (an import deleted or edited behind our back, or a routing we patched that the member no longer
/// shows) is handed back to the queue to be written again from the held decision. Informer callbacks, the grain's
/// resync and the workers meet only in one map of immutable views, each changed by one atomic swap.
/// </summary>
public sealed class ImportDriftWatch(string clusterKey, HeldDecisions decisions, Action<WorkKey> requeue, Action<WorkKey> lost, ILogger logger)
    : IInformerHandler<ServiceImportResource>
{
    private readonly ConcurrentDictionary<WorkKey, ImportView> _views = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The watch delivered its first list: what the member holds is known.</summary>
    public bool Synced => _synced.Task.IsCompleted;

    public Task WaitSyncedAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>What the member shows of the import and what was patched there; null when it holds none.</summary>
    public ImportView? View(WorkKey key) => _views.GetValueOrDefault(key);

    /// <summary>Keys (<c>namespace/name</c>) of the ServiceImports of this system the member holds now.</summary>
    public IReadOnlyCollection<string> PresentKeys() => [.. _views.Keys.Select(k => $"{k.Namespace}/{k.Name}")];

    /// <summary>A spec landed: the member holds its hash (before the watch shows it) and, when the answer said, its uid.</summary>
    public void Applied(WorkKey key, string specHash, Routing? shown, string? uid = null) =>
        _views.AddOrUpdate(key, static (_, a) => new ImportView(a.specHash, a.shown, null) { Uid = a.uid }, static (_, view, a) => view with { SpecHash = a.specHash, Shown = a.shown, Uid = a.uid ?? view.Uid }, (specHash, shown, uid));

    /// <summary>A routing landed on an import the member holds (null: none must be there): not patched again until it drifts.</summary>
    public void Patched(WorkKey key, Routing? routing)
    {
        while (_views.TryGetValue(key, out var view) && !_views.TryUpdate(key, view with { Patched = routing }, view))
        {
        }
    }

    /// <summary>Our delete landed: the member holds nothing of it.</summary>
    public void Forget(WorkKey key) => _views.TryRemove(key, out _);

    /// <summary>
    /// Level-triggered check (the grain's repair): queue every held import the member does not hold as decided, spec
    /// or routing. A routing this engine patched but the member no longer shows was overwritten behind its back (say,
    /// by a second activation of the writer while a silo was being declared dead) and is patched again.
    /// </summary>
    public void Resync()
    {
        foreach (var (key, slot) in decisions.Imports)
        {
            if (slot.Apply is not { } apply)
            {
                continue;
            }

            if (!_views.TryGetValue(key, out var seen) || seen.SpecHash != apply.SpecHash)
            {
                requeue(key);
            }
            else if (slot.Routing is { } routing && seen.Patched == routing.Stored && seen.Shown != routing.Stored
                && _views.TryUpdate(key, seen with { Patched = null }, seen))
            {
                logger.Drifted(clusterKey, key.Namespace, key.Name, "routing changed");
                requeue(key);
            }
        }
    }

    /// <summary>Runs the watch until cancelled; a member not reachable yet is tried again after a backoff.</summary>
    public async Task RunAsync(IMemberImportApi api, RetryOptions retry, TimeProvider time, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await api.WatchAsync(this, cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not connected yet (no client for the member): try again shortly.
                logger.WatchUnavailable(clusterKey, ex.Message);
                try
                {
                    await Task.Delay(retry.DelayAfter(++attempt), time, cancellationToken);
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
        var shown = RoutingJson.FromStored(obj.Status?.Routing);
        _views.AddOrUpdate(key, static (_, a) => new ImportView(a.hash, a.shown, null) { Uid = a.uid }, static (_, view, a) => view with { SpecHash = a.hash, Shown = a.shown, Uid = a.uid }, (hash, shown, uid: obj.Metadata.Uid));
        if (Synced && decisions.Wanted(key) is { } apply && apply.SpecHash != hash)
        {
            logger.Drifted(clusterKey, key.Namespace, key.Name, "edited");
            requeue(key);
        }

        return Task.CompletedTask;
    }

    public Task OnDeleteAsync(ServiceImportResource lastKnown, CancellationToken cancellationToken)
    {
        var key = KeyOf(lastKnown);
        _views.TryRemove(key, out _);
        lost(key);
        if (decisions.Wanted(key) is not null)
        {
            logger.Drifted(clusterKey, key.Namespace, key.Name, "deleted");
            requeue(key);
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
}

/// <summary>
/// One import as the member holds it (the spec hash annotation, status.routing read back as a value) and the routing
/// this engine last patched there, which the watch may not show yet.
/// </summary>
public sealed record ImportView(string? SpecHash, Routing? Shown, Routing? Patched)
{
    /// <summary>The import's uid as the member last showed or answered it (null: not known yet).</summary>
    public string? Uid { get; init; }
}
