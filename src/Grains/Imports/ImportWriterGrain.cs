using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Grains.Kubernetes;
using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Queues;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>
/// Makes one member's ServiceImports match what the ServiceImportGrains want for it, and evaluates the member's
/// GlobalTrafficPolicies into each ServiceImport's status.routing. Notifications arrive on the member's channel;
/// writes run on a small pool of background workers (concurrent, de-duplicated per service, retried). A watch on
/// the member's ServiceImports catches drift (an import deleted or edited behind our back), and a periodic repair
/// compares versions with the directory and fetches only what changed, so nothing depends on one notification.
/// </summary>
[RegionPlacement]
[ImplicitChannelSubscription(ChannelNames.Imports)]
public sealed partial class ImportWriterGrain(
    IGrainFactory grains,
    MemberClients clients,
    RegionAffinity affinity,
    IOptions<ErieCanalOptions> options,
    ILogger<ImportWriterGrain> logger) : Grain, IImportWriterGrain, IOnBroadcastChannelSubscribed
{
    private const string FieldManager = "erie-canal-orleans";
    private const string StatusPrefix = "status:";
    private const string PolicyPrefix = "policy:";
    private readonly ConcurrentDictionary<string, Desired> _desired = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrafficPolicySpec> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Routing> _routing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _writtenSpec = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _writtenStatus = new(StringComparer.Ordinal);
    private readonly MemberImports _present = new();
    private readonly KeyedWorkQueue _dirty = new();
    private readonly CancellationTokenSource _stop = new();
    private ImmutableArray<ClusterInfo> _clusters = [];
    private IReadOnlySet<string> _knownClusterKeys = new HashSet<string>(StringComparer.Ordinal);
    private string _clusterKey = "";
    private Task[] _workers = [];
    private Task? _watch;
    private Task? _repair;
    private IGrainTimer? _repairTimer;
    private volatile bool _retired;

    private ErieCanalOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _clusterKey = this.GetPrimaryKeyString();

        // A member that left (or never joined) is not written to, even if a late notification wakes this grain.
        await RefreshMembershipAsync();
        _workers = [_dirty.RunAsync(Options.WriterConcurrency, WriteAsync, OnWriteFailed, _stop.Token)];
        _watch = Task.Run(WatchMemberAsync);

        // Jitter: the writers of all members must not repair at the same moment.
        var first = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Options.RepairInterval.TotalMilliseconds);
        _repairTimer = this.RegisterGrainTimer(_ => Repair(), new GrainTimerCreationOptions(first, Options.RepairInterval) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _repairTimer?.Dispose();
        await StopWorkAsync();
    }

    public Task OnSubscribed(IBroadcastChannelSubscription subscription) =>
        subscription.Attach<ImportUpdate>(OnImportUpdateAsync, OnChannelErrorAsync);

    private Task OnImportUpdateAsync(ImportUpdate update)
    {
        var key = ServiceKeys.Service(update.Namespace, update.Name);
        if (Accept(key, update.Version, update.Import))
        {
            MarkDirty(key);
        }

        return Task.CompletedTask;
    }

    private Task OnChannelErrorAsync(Exception ex)
    {
        LogChannelError(ex, _clusterKey);
        return Task.CompletedTask;
    }

    public Task SetPolicy(string ns, string name, TrafficPolicySpec? policy)
    {
        var key = ServiceKeys.Service(ns, name);
        if (policy is null)
        {
            _policies.TryRemove(key, out _);
        }
        else
        {
            _policies[key] = policy;
            MarkDirty(PolicyPrefix + key);
        }

        MarkDirty(StatusPrefix + key);
        return Task.CompletedTask;
    }

    public Task<Routing?> GetRouting(string ns, string name)
    {
        var key = ServiceKeys.Service(ns, name);
        return Task.FromResult(_desired.TryGetValue(key, out var desired) && desired.Import is { } import ? Evaluate(key, import) : null);
    }

    public Task Repair()
    {
        if (affinity.ShouldMoveHome(_clusterKey))
        {
            // Placed before a silo of the member's region was up: move next to the member (state is rebuilt by repair).
            MigrateOnIdle();
            return Task.CompletedTask;
        }

        if (_repair is null || _repair.IsCompleted)
        {
            _repair = Task.Run(RepairAsync);
        }

        return Task.CompletedTask;
    }

    public async Task Retire()
    {
        _retired = true;
        _repairTimer?.Dispose();
        _desired.Clear();

        // Let writes already in flight finish first, or one could recreate an import after the sweep below.
        await StopWorkAsync();
        try
        {
            var client = await clients.GetAsync(_clusterKey);
            foreach (var (ns, name) in await ListManagedAsync(client))
            {
                await DeleteAsync(client, ns, name, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogRetireFailed(ex, _clusterKey);
        }

        clients.Invalidate(_clusterKey);
        DeactivateOnIdle();
    }

    /// <summary>Takes a newer desired state; stale or repeated notifications are dropped by version.</summary>
    private bool Accept(string key, long version, MergedImport? import)
    {
        var accepted = false;
        _desired.AddOrUpdate(key, _ =>
        {
            accepted = true;
            return new Desired(version, import);
        }, (_, current) =>
        {
            if (version <= current.Version)
            {
                return current;
            }

            accepted = true;
            return new Desired(version, import);
        });
        return accepted;
    }

    private void MarkDirty(string key) => _dirty.Add(key);

    private Task WriteAsync(string key, CancellationToken cancellationToken) =>
        _retired ? Task.CompletedTask
        : key.StartsWith(PolicyPrefix, StringComparison.Ordinal) ? WritePolicyStatusAsync(key[PolicyPrefix.Length..])
        : key.StartsWith(StatusPrefix, StringComparison.Ordinal) ? WriteRoutingAsync(key[StatusPrefix.Length..])
        : WriteImportAsync(key);

    private void OnWriteFailed(string key, Exception ex)
    {
        ErieCanalTelemetry.WriteFailures.Add(1);
        LogWriteFailed(ex, _clusterKey, key);
        _ = RetryLaterAsync(key);
    }

    private async Task RetryLaterAsync(string key)
    {
        try
        {
            await Task.Delay(Options.Informer.InitialBackoff * 5, _stop.Token);
            MarkDirty(key);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The spec first (what makes the import visible), its routing status queued behind other specs.</summary>
    private async Task WriteImportAsync(string key)
    {
        var (ns, name) = ServiceKeys.ParseService(key);
        var client = await clients.GetAsync(_clusterKey);
        if (!_desired.TryGetValue(key, out var desired) || desired.Import is null)
        {
            _routing.TryRemove(key, out _);
            _writtenStatus.TryRemove(key, out _);
            if (_writtenSpec.TryRemove(key, out _) || _present.Contains(key) || desired is not null)
            {
                await DeleteAsync(client, ns, name, _stop.Token);
            }

            return;
        }

        var document = ServiceImportDocument.Apply(desired.Import);
        var fingerprint = document.ToJsonString();
        if (!_writtenSpec.TryGetValue(key, out var last) || last != fingerprint)
        {
            var clock = Stopwatch.StartNew();
            await ApplyAsync(client, ns, name, document);
            ErieCanalTelemetry.WriteLatency.Record(clock.Elapsed.TotalMilliseconds);
            ErieCanalTelemetry.ImportWrites.Add(1);
            _writtenSpec[key] = fingerprint;
        }

        MarkDirty(StatusPrefix + key);
    }

    private async Task WriteRoutingAsync(string key)
    {
        if (!_desired.TryGetValue(key, out var desired) || desired.Import is not { } import || !_writtenSpec.ContainsKey(key))
        {
            return;
        }

        var (ns, name) = ServiceKeys.ParseService(key);
        var routing = Evaluate(key, import);
        _routing[key] = routing;
        var status = ServiceImportDocument.Status(routing);
        var fingerprint = status.ToJsonString();
        if (_writtenStatus.TryGetValue(key, out var last) && last == fingerprint)
        {
            return;
        }

        var client = await clients.GetAsync(_clusterKey);
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
            ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken: _stop.Token);
        _writtenStatus[key] = fingerprint;
    }

    /// <summary>Server-side apply: one idempotent call that creates or updates, never a stale-version conflict.</summary>
    private async Task ApplyAsync(IKubernetes client, string ns, string name, JsonObject document)
    {
        var patch = new V1Patch(document.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        try
        {
            await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name,
                fieldManager: FieldManager, force: true, cancellationToken: _stop.Token);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // SPEC §3: the namespace is created in members that lack it.
            try
            {
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: _stop.Token);
            }
            catch (HttpOperationException exists) when (exists.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }

            await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name,
                fieldManager: FieldManager, force: true, cancellationToken: _stop.Token);
        }
    }

    private static async Task DeleteAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken: cancellationToken);
            ErieCanalTelemetry.ImportDeletes.Add(1);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private Routing Evaluate(string key, MergedImport import)
    {
        _policies.TryGetValue(key, out var policy);
        return TrafficPolicyEvaluator.Evaluate(import, _clusterKey, policy, policy is null ? null : ServiceKeys.ParseService(key).Name, _knownClusterKeys);
    }

    private async Task WritePolicyStatusAsync(string key)
    {
        if (!_policies.TryGetValue(key, out var policy))
        {
            return;
        }

        var (ns, name) = ServiceKeys.ParseService(key);
        var validation = TrafficPolicyEvaluator.Validate(policy, _knownClusterKeys);
        var client = await clients.GetAsync(_clusterKey);
        try
        {
            var existing = await StatusPatches.ReadConditionsAsync(client, GlobalTrafficPolicyResource.Plural, ns, name, _stop.Token);
            var now = DateTime.UtcNow;
            var conditions = ConditionList.Set(existing, ConditionTypes.Valid, validation.Valid, validation.ValidReason, validation.ValidMessage, policy.Generation, now);
            conditions = ConditionList.Set(conditions, ConditionTypes.ResolvedRefs, validation.RefsResolved, validation.RefsReason, validation.RefsMessage, policy.Generation, now);
            if (!ConditionList.SameState(existing, conditions))
            {
                await StatusPatches.PatchStatusAsync(client, GlobalTrafficPolicyResource.Plural, ns, name,
                    new JsonObject { ["observedGeneration"] = policy.Generation, ["conditions"] = StatusPatches.ToJson(conditions) }, _stop.Token);
            }
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>
    /// Watches the member's ServiceImports so drift is seen as it happens: an import deleted or edited behind our
    /// back is written again, without ever re-listing the member.
    /// </summary>
    private async Task WatchMemberAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await clients.GetAsync(_clusterKey);
                var source = ResourceSources.Custom<ServiceImportResource>(client, ServiceImportResource.Group, ServiceImportResource.Version, ServiceImportResource.Plural, namespaced: true, $"serviceimports on {_clusterKey}");
                await new ResourceInformer<ServiceImportResource>(source, new PresentHandler(this), Options.Informer, logger).RunAsync(_stop.Token);
                return;
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                // Not connected yet: try again shortly.
                LogWatchUnavailable(ex, _clusterKey);
                try
                {
                    await Task.Delay(Options.Informer.MaxBackoff, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Level-triggered repair, cheap enough to run often: fetch the views of services whose version moved past
    /// ours, rewrite what the member lost, and delete imports nobody wants — asking the service's grain, the
    /// authority, first, and only once every member has synced, so a cold start never deletes early.
    /// </summary>
    private async Task RepairAsync()
    {
        try
        {
            await RefreshMembershipAsync();
            if (_retired)
            {
                return;
            }

            var services = await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetServices();
            foreach (var (service, version) in services)
            {
                if (_desired.TryGetValue(service, out var desired) && desired.Version >= version)
                {
                    continue;
                }

                var view = await grains.GetGrain<IServiceImportGrain>(service).GetViewFor(_clusterKey);
                if (Accept(service, Math.Max(version, view?.Version ?? 0), view) || view is not null)
                {
                    MarkDirty(service);
                }
            }

            foreach (var key in _policies.Keys)
            {
                MarkDirty(PolicyPrefix + key);
                MarkDirty(StatusPrefix + key);
            }

            if (!_present.Synced)
            {
                return;
            }

            foreach (var (key, desired) in _desired)
            {
                if (desired.Import is not null && !_present.Matches(key, desired.Version))
                {
                    // Missing or edited in the member: write it again.
                    _writtenSpec.TryRemove(key, out _);
                    _writtenStatus.TryRemove(key, out _);
                    MarkDirty(key);
                }
            }

            var allSynced = _clusters.Length > 0 && _clusters.All(c => c.Synced || !c.Managed);
            foreach (var key in _present.Keys)
            {
                if (services.ContainsKey(key) || !allSynced)
                {
                    continue;
                }

                var view = await grains.GetGrain<IServiceImportGrain>(key).GetViewFor(_clusterKey);
                Accept(key, view?.Version ?? 0, view);
                if (view is null)
                {
                    _desired.TryAdd(key, new Desired(0, null));
                }

                MarkDirty(key);
            }
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            LogRepairFailed(ex, _clusterKey);
        }
    }

    private async Task RefreshMembershipAsync()
    {
        _clusters = await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetClusters();
        _knownClusterKeys = _clusters.Select(c => c.ClusterKey).ToHashSet(StringComparer.Ordinal);
        _retired = !_clusters.Any(c => c.ClusterKey == _clusterKey);
    }

    private async Task StopWorkAsync()
    {
        await _stop.CancelAsync();
        _dirty.Complete();
        var running = _workers.Append(_repair ?? Task.CompletedTask).Append(_watch ?? Task.CompletedTask);
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task<List<(string Ns, string Name)>> ListManagedAsync(IKubernetes client)
    {
        var list = await client.CustomObjects.ListClusterCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ServiceImportResource.Plural,
            labelSelector: $"{ServiceImportResource.ManagedByLabel}={ServiceImportResource.ManagedByValue}");
        var json = list is System.Text.Json.JsonElement element ? element : System.Text.Json.JsonSerializer.SerializeToElement(list);
        return json.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("metadata"))
            .Select(m => (m.GetProperty("namespace").GetString() ?? "", m.GetProperty("name").GetString() ?? ""))
            .ToList();
    }

    private sealed record Desired(long Version, MergedImport? Import);

    /// <summary>Keeps the member's own view of its ServiceImports (ours only) from the informer.</summary>
    private sealed class PresentHandler(ImportWriterGrain writer) : IInformerHandler<ServiceImportResource>
    {
        public Task OnUpsertAsync(ServiceImportResource obj, CancellationToken cancellationToken)
        {
            if (obj.Metadata.Labels is not { } labels || !labels.TryGetValue(ServiceImportResource.ManagedByLabel, out var owner) || owner != ServiceImportResource.ManagedByValue)
            {
                return Task.CompletedTask;
            }

            var key = ServiceKeys.Service(obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
            var version = obj.Metadata.Annotations is { } annotations && annotations.TryGetValue(ServiceImportResource.VersionAnnotation, out var text)
                && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;
            writer._present.Set(key, version);
            if (writer._desired.TryGetValue(key, out var desired) && desired.Import is not null && desired.Version > version && writer._writtenSpec.ContainsKey(key))
            {
                // Edited behind our back to an older version: put it back.
                writer._writtenSpec.TryRemove(key, out _);
                writer.MarkDirty(key);
            }

            return Task.CompletedTask;
        }

        public Task OnDeleteAsync(ServiceImportResource lastKnown, CancellationToken cancellationToken)
        {
            var key = ServiceKeys.Service(lastKnown.Metadata.NamespaceProperty ?? "", lastKnown.Metadata.Name);
            writer._present.Remove(key);
            if (writer._desired.TryGetValue(key, out var desired) && desired.Import is not null)
            {
                // Deleted behind our back while still wanted: write it again.
                writer._writtenSpec.TryRemove(key, out _);
                writer._writtenStatus.TryRemove(key, out _);
                writer.MarkDirty(key);
            }

            return Task.CompletedTask;
        }

        public Task OnSyncedAsync(CancellationToken cancellationToken)
        {
            writer._present.Synced = true;
            return Task.CompletedTask;
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Writing {Key} into member {ClusterKey} failed; retrying")]
    private partial void LogWriteFailed(Exception ex, string clusterKey, string key);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Repair of member {ClusterKey} failed; the next round retries")]
    private partial void LogRepairFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Could not delete the ServiceImports of retired member {ClusterKey}")]
    private partial void LogRetireFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "The import channel of member {ClusterKey} reported an error")]
    private partial void LogChannelError(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "Cannot watch the ServiceImports of member {ClusterKey} yet")]
    private partial void LogWatchUnavailable(Exception ex, string clusterKey);
}
