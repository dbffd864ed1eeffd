using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ErieCanal.Orleans.Grains.Kubernetes;
using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>
/// Makes one member's ServiceImports match what the ServiceImportGrains want for it, and evaluates the member's
/// GlobalTrafficPolicies into each ServiceImport's status.routing. Notifications arrive on the member's stream;
/// writes run on a small pool of background workers (concurrent, de-duplicated per service, retried), and a
/// periodic repair pulls the desired state and removes orphans, so nothing depends on one notification arriving.
/// </summary>
[RegionPlacement]
[ImplicitStreamSubscription(StreamNames.Imports)]
public sealed partial class ImportWriterGrain(
    IGrainFactory grains,
    MemberClients clients,
    RegionAffinity affinity,
    IOptions<ErieCanalOptions> options,
    ILogger<ImportWriterGrain> logger) : Grain, IImportWriterGrain, IAsyncObserver<ImportUpdate>, IStreamSubscriptionObserver
{
    private const string FieldManager = "erie-canal-orleans";
    private readonly ConcurrentDictionary<string, Desired> _desired = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrafficPolicySpec> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Routing> _routing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);
    private readonly Channel<string> _dirty = Channel.CreateUnbounded<string>();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private ImmutableArray<ClusterInfo> _clusters = [];
    private string _clusterKey = "";
    private Task[] _workers = [];
    private Task? _repair;
    private IGrainTimer? _repairTimer;
    private volatile bool _retired;

    private ErieCanalOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _clusterKey = this.GetPrimaryKeyString();

        // A member that left (or never joined) is not written to, even if a late notification wakes this grain.
        await RefreshMembershipAsync();
        _workers = Enumerable.Range(0, Options.WriterConcurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
        _repairTimer = this.RegisterGrainTimer(_ => Repair(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Options.RepairInterval) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _repairTimer?.Dispose();
        await _stop.CancelAsync();
        _dirty.Writer.TryComplete();
        await Task.WhenAll(_workers.Append(_repair ?? Task.CompletedTask)).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<ImportUpdate>().ResumeAsync(this);

    public Task OnNextAsync(ImportUpdate item, StreamSequenceToken? token = null)
    {
        var key = ServiceKeys.Service(item.Namespace, item.Name);
        if (Accept(key, item.Version, item.Import))
        {
            MarkDirty(key);
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(ex, _clusterKey);
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
            MarkDirty(PolicyKey(key));
        }

        MarkDirty(key);
        return Task.CompletedTask;
    }

    public Task<Routing?> GetRouting(string ns, string name)
    {
        var key = ServiceKeys.Service(ns, name);
        if (_routing.TryGetValue(key, out var routing))
        {
            return Task.FromResult<Routing?>(routing);
        }

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
        await _stop.CancelAsync();
        await Task.WhenAll(_workers.Append(_repair ?? Task.CompletedTask)).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        try
        {
            var client = await clients.GetAsync(_clusterKey);
            foreach (var (ns, name) in await ListManagedAsync(client, CancellationToken.None))
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

    private void MarkDirty(string key)
    {
        lock (_queued)
        {
            if (!_queued.Add(key))
            {
                return;
            }
        }

        _dirty.Writer.TryWrite(key);
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var key in _dirty.Reader.ReadAllAsync(_stop.Token))
            {
                lock (_queued)
                {
                    _queued.Remove(key);
                }

                if (_retired)
                {
                    continue;
                }

                try
                {
                    if (key.StartsWith("policy:", StringComparison.Ordinal))
                    {
                        await WritePolicyStatusAsync(key["policy:".Length..]);
                    }
                    else
                    {
                        await WriteImportAsync(key);
                    }
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    ErieCanalTelemetry.WriteFailures.Add(1);
                    LogWriteFailed(ex, _clusterKey, key);
                    _ = RetryLaterAsync(key);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
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

    private async Task WriteImportAsync(string key)
    {
        var (ns, name) = ServiceKeys.ParseService(key);
        var client = await clients.GetAsync(_clusterKey);
        if (!_desired.TryGetValue(key, out var desired) || desired.Import is null)
        {
            _routing.TryRemove(key, out _);
            if (_written.TryRemove(key, out _) || desired is not null)
            {
                await DeleteAsync(client, ns, name, _stop.Token);
            }

            return;
        }

        var routing = Evaluate(key, desired.Import);
        _routing[key] = routing;
        var document = ServiceImportDocument.Apply(desired.Import);
        var status = ServiceImportDocument.Status(routing);
        var fingerprint = ((JsonNode)document["spec"]!).ToJsonString() + status.ToJsonString();
        if (_written.TryGetValue(key, out var last) && last == fingerprint)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        await ApplyAsync(client, ns, name, document);
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
            ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken: _stop.Token);
        ErieCanalTelemetry.WriteLatency.Record(clock.Elapsed.TotalMilliseconds);
        ErieCanalTelemetry.ImportWrites.Add(1);
        _written[key] = fingerprint;
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

    private async Task DeleteAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
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
        var known = _clusters.Select(c => c.ClusterKey).ToHashSet(StringComparer.Ordinal);
        return TrafficPolicyEvaluator.Evaluate(import, _clusterKey, policy, policy is null ? null : ServiceKeys.ParseService(key).Name, known);
    }

    private async Task WritePolicyStatusAsync(string key)
    {
        if (!_policies.TryGetValue(key, out var policy))
        {
            return;
        }

        var (ns, name) = ServiceKeys.ParseService(key);
        var known = _clusters.Select(c => c.ClusterKey).ToHashSet(StringComparer.Ordinal);
        var validation = TrafficPolicyEvaluator.Validate(policy, known);
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
    /// Level-triggered repair: pull every service's view for this member, rewrite what differs, delete
    /// ServiceImports nobody wants (only once every member has synced, so a cold start never deletes early).
    /// </summary>
    private async Task RefreshMembershipAsync()
    {
        _clusters = await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetClusters();
        _retired = !_clusters.Any(c => c.ClusterKey == _clusterKey);
    }

    private async Task RepairAsync()
    {
        try
        {
            var directory = grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);
            await RefreshMembershipAsync();
            if (_retired)
            {
                return;
            }

            var services = (await directory.GetServices()).ToHashSet(StringComparer.Ordinal);
            foreach (var service in services)
            {
                var view = await grains.GetGrain<IServiceImportGrain>(service).GetViewFor(_clusterKey);
                if (Accept(service, view?.Version ?? 0, view) || (view is not null && !_written.ContainsKey(service)))
                {
                    MarkDirty(service);
                }
            }

            foreach (var key in _policies.Keys)
            {
                MarkDirty(PolicyKey(key));
            }

            var client = await clients.GetAsync(_clusterKey);
            var present = await ListManagedAsync(client, _stop.Token);
            var allSynced = _clusters.Length > 0 && _clusters.All(c => c.Synced || !c.Managed);
            foreach (var (ns, name) in present)
            {
                var key = ServiceKeys.Service(ns, name);
                if (services.Contains(key) || !allSynced)
                {
                    continue;
                }

                // Present here but not an active service in the directory: an orphan, or a stale desired state. Ask
                // the service's grain, the authority, before deleting, so a writer that lost its memory (or a
                // directory that lost its index) never deletes a live import.
                var view = await grains.GetGrain<IServiceImportGrain>(key).GetViewFor(_clusterKey);
                Accept(key, view?.Version ?? 0, view);
                if (view is null)
                {
                    _desired.TryAdd(key, new Desired(0, null));
                }

                MarkDirty(key);
            }

            foreach (var key in _written.Keys)
            {
                var (ns, name) = ServiceKeys.ParseService(key);
                if (!present.Contains((ns, name)))
                {
                    // Deleted behind our back: write it again.
                    _written.TryRemove(key, out _);
                    MarkDirty(key);
                }
            }
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            LogRepairFailed(ex, _clusterKey);
        }
    }

    private async Task<HashSet<(string Ns, string Name)>> ListManagedAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var raw = await client.CustomObjects.ListClusterCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ServiceImportResource.Plural,
            labelSelector: $"{ServiceImportResource.ManagedByLabel}={ServiceImportResource.ManagedByValue}", cancellationToken: cancellationToken);
        var json = raw is JsonElement element ? element : JsonSerializer.SerializeToElement(raw);
        var result = new HashSet<(string, string)>();
        foreach (var item in json.GetProperty("items").EnumerateArray())
        {
            var metadata = item.GetProperty("metadata");
            result.Add((metadata.GetProperty("namespace").GetString() ?? "", metadata.GetProperty("name").GetString() ?? ""));
        }

        return result;
    }

    private static string PolicyKey(string serviceKey) => "policy:" + serviceKey;

    private sealed record Desired(long Version, MergedImport? Import);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Writing {Key} into member {ClusterKey} failed; retrying")]
    private partial void LogWriteFailed(Exception ex, string clusterKey, string key);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Repair of member {ClusterKey} failed; the next round retries")]
    private partial void LogRepairFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Could not delete the ServiceImports of retired member {ClusterKey}")]
    private partial void LogRetireFailed(Exception ex, string clusterKey);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "The import stream of member {ClusterKey} reported an error")]
    private partial void LogStreamError(Exception ex, string clusterKey);
}
