using System.Collections.Immutable;
using System.Net;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Queues;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// The connection of the system to one member cluster, owned by that member's ClusterGrain: resolves the
/// kubeconfig, claims the member, checks its flomesh.io CRDs, runs its informers (ServiceExports, Services,
/// EndpointSlices, Ingresses, GlobalTrafficPolicies) and feeds full observations to the export grains and policies
/// to the member's writer.
/// Runs off the grain scheduler and talks to the grains only through grain calls.
/// </summary>
public sealed partial class MemberSession : IAsyncDisposable
{
    /// <summary>Where a member records which control plane manages it.</summary>
    public const string ClaimNamespace = "kube-system";

    public const string ClaimName = "erie-canal-orleans-membership";

    private const int DispatchConcurrency = 16;

    private readonly ClusterSpec _spec;
    private readonly IGrainFactory _grains;
    private readonly ControlPlaneConnection _controlPlane;
    private readonly ErieCanalOptions _options;
    private readonly ILogger _logger;
    private readonly HashSet<string> _known;
    private readonly Lock _knownGate = new();
    private readonly MemberObservations _observations;
    private readonly KeyedWorkQueue _dirty = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private volatile bool _clusterHealthy = true;
    private GatewayAddress? _gateway;
    private int _knownDirty;
    private Task[] _dispatchers = [];
    private readonly TaskCompletionSource _cachesSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MemberSession(ClusterSpec spec, IEnumerable<string> knownExports, IGrainFactory grains, ControlPlaneConnection controlPlane, ErieCanalOptions options, ILogger logger)
    {
        _spec = spec;
        _grains = grains;
        _controlPlane = controlPlane;
        _options = options;
        _logger = logger;
        _known = new HashSet<string>(knownExports, StringComparer.Ordinal);
        _observations = new MemberObservations(options.IngressClass);
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    private IClusterGrain Owner => _grains.GetGrain<IClusterGrain>(_spec.ClusterKey);

    /// <summary>Identifies this session's reports, so a replaced session's late reports are ignored.</summary>
    public string SessionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The member's kubeconfig once resolved (inline, or read from the referenced Secret).</summary>
    public string? Kubeconfig { get; private set; }

    /// <summary>The member's health as the grain decided it; a change re-sends every export.</summary>
    public void SetClusterHealthy(bool healthy)
    {
        if (_clusterHealthy == healthy)
        {
            return;
        }

        _clusterHealthy = healthy;
        foreach (var key in _observations.ExportKeys)
        {
            MarkDirty(key);
        }
    }

    /// <summary>Releases the member's claim (the member leaves as if it never joined).</summary>
    public static async Task ReleaseClaimAsync(IKubernetes client, string identity, CancellationToken cancellationToken)
    {
        try
        {
            var claim = await client.CoreV1.ReadNamespacedConfigMapAsync(ClaimName, ClaimNamespace, cancellationToken: cancellationToken);
            if ((claim.Data is { } cd && cd.TryGetValue("controlPlane", out var cpv) ? cpv : null) == identity)
            {
                await client.CoreV1.DeleteNamespacedConfigMapAsync(ClaimName, ClaimNamespace, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.Informer.InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ConnectAndServeAsync(cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var (reason, message) = ex is ClaimedElsewhereException ? (ConditionReasons.ManagedElsewhere, ex.Message) : ApiErrors.Describe(ex);
                LogConnectFailed(_spec.ClusterKey, reason, message);
                await ReportAsync(new SessionReport(SessionId, false, false, reason, message));
                var wait = ex is InvalidKubeconfigException or ClaimedElsewhereException ? _options.ResyncInterval : backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.Informer.MaxBackoff.Ticks));
                try
                {
                    await Task.Delay(wait, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ConnectAndServeAsync(CancellationToken cancellationToken)
    {
        await ReportAsync(new SessionReport(SessionId, false, false, ConditionReasons.Connecting, "connecting to the member's API server"));
        var kubeconfig = await ResolveKubeconfigAsync(cancellationToken);
        Kubeconfig = kubeconfig;
        using var client = KubeconfigLoader.Load(kubeconfig, _options.RequestTimeout);
        await client.CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: cancellationToken);
        await ClaimAsync(client, cancellationToken);
        _gateway = await ResolveGatewayAsync(cancellationToken);
        await CheckCrdsAsync(client, cancellationToken);

        var exports = new ResourceInformer<ServiceExportResource>(
            ResourceSources.Custom<ServiceExportResource>(client, ServiceExportResource.Group, ServiceExportResource.Version, ServiceExportResource.Plural, namespaced: true, $"serviceexports on {_spec.Name}"),
            new Handler<ServiceExportResource>(this, (o, present) => _observations.SetExport(o, present)), _options.Informer, _logger);
        var services = new ResourceInformer<V1Service>(
            ResourceSources.Services(client, $"services on {_spec.Name}"),
            new Handler<V1Service>(this, (o, present) => _observations.SetService(o, present)), _options.Informer, _logger);
        var slices = new ResourceInformer<V1EndpointSlice>(
            ResourceSources.EndpointSlices(client, $"endpointslices on {_spec.Name}"),
            new Handler<V1EndpointSlice>(this, (o, present) => _observations.SetSlice(o, present)), _options.Informer, _logger);
        var ingresses = new ResourceInformer<V1Ingress>(
            ResourceSources.Ingresses(client, $"ingresses on {_spec.Name}"),
            new IngressHandler(this), _options.Informer, _logger);
        var policies = new ResourceInformer<GlobalTrafficPolicyResource>(
            ResourceSources.Custom<GlobalTrafficPolicyResource>(client, GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, GlobalTrafficPolicyResource.Plural, namespaced: true, $"globaltrafficpolicies on {_spec.Name}"),
            new PolicyHandler(this), _options.Informer, _logger);

        var informers = new Func<bool>[] { () => exports.Synced, () => services.Synced, () => slices.Synced, () => ingresses.Synced, () => policies.Synced };
        var errors = new Func<Exception?>[] { () => exports.LastError, () => services.LastError, () => slices.LastError, () => ingresses.LastError, () => policies.LastError };
        var running = new[]
        {
            exports.RunAsync(cancellationToken), services.RunAsync(cancellationToken),
            slices.RunAsync(cancellationToken), ingresses.RunAsync(cancellationToken), policies.RunAsync(cancellationToken),
        };
        var dispatchers = new[] { DispatchAsync(cancellationToken) };
        _dispatchers = dispatchers;

        // Managed=True only once every watch has synced; then keep reporting as watches fail and recover.
        var reported = (Connected: false, Synced: false, Reason: "");
        var reconciledKnown = false;
        var lastResync = DateTime.UtcNow;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await tick.WaitForNextTickAsync(cancellationToken))
        {
            var synced = informers.All(s => s());
            if (synced && !reconciledKnown)
            {
                // Like WaitForCacheSync: nothing is sent until every cache is whole, so a restart never sends an
                // export with half its picture (say, before its EndpointSlices were listed) and flaps its health.
                _cachesSynced.TrySetResult();

                // Exports this member fed before (persisted by the grain) but no longer has were deleted while we
                // were not watching: withdraw them now.
                string[] missing;
                lock (_knownGate)
                {
                    missing = _known.Where(k => !_observations.HasExport(k)).ToArray();
                }

                foreach (var key in missing.Concat(_observations.OrphanIngressKeys))
                {
                    MarkDirty(key);
                }

                reconciledKnown = true;
            }

            if (synced && DateTime.UtcNow - lastResync > _options.ResyncInterval)
            {
                // Periodic full re-observation (a resync period): a grain that lost its activation, or its state with
                // a silo, is fed again even when nothing in the member changed.
                foreach (var key in _observations.ExportKeys.Concat(_observations.OrphanIngressKeys))
                {
                    MarkDirty(key);
                }

                // Someone may have applied older CRDs since: check again (three reads).
                await CheckCrdsAsync(client, cancellationToken);
                lastResync = DateTime.UtcNow;
            }

            var error = errors.Select(e => e()).FirstOrDefault(e => e is not null);
            var state = error is null
                ? (Connected: true, Synced: synced, Reason: synced ? ConditionReasons.Connected : ConditionReasons.Connecting)
                : (Connected: false, Synced: synced, Reason: ApiErrors.Describe(error).Reason);
            if (state != reported)
            {
                var message = error is null
                    ? synced ? "connected; watches of ServiceExports, Services, EndpointSlices, Ingresses and GlobalTrafficPolicies are synced" : "watches are syncing"
                    : ApiErrors.Describe(error).Message;
                await ReportAsync(new SessionReport(SessionId, state.Connected, state.Synced, state.Reason, message));
                reported = state;
            }

            if (Interlocked.Exchange(ref _knownDirty, 0) == 1)
            {
                ImmutableArray<string> snapshot;
                lock (_knownGate)
                {
                    snapshot = [.. _known];
                }

                await SafeAsync(() => Owner.RecordExports(SessionId, snapshot));
            }
        }

        await Task.WhenAll(running.Concat(dispatchers));
    }

    private async Task<string> ResolveKubeconfigAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(_spec.Kubeconfig) && _spec.KubeconfigSecretRef is not null)
        {
            throw new InvalidKubeconfigException("set exactly one of spec.kubeconfig and spec.kubeconfigSecretRef, not both");
        }

        if (_spec.KubeconfigSecretRef is { } secretRef)
        {
            V1Secret secret;
            try
            {
                secret = await _controlPlane.Client.CoreV1.ReadNamespacedSecretAsync(secretRef.Name, secretRef.Namespace, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
                throw new InvalidKubeconfigException($"spec.kubeconfigSecretRef: Secret {secretRef.Namespace}/{secretRef.Name} does not exist on the control plane");
            }

            if (secret.Data?.TryGetValue(secretRef.Key, out var bytes) == true)
            {
                return System.Text.Encoding.UTF8.GetString(bytes);
            }

            if (secret.StringData?.TryGetValue(secretRef.Key, out var text) == true)
            {
                return text;
            }

            throw new InvalidKubeconfigException($"spec.kubeconfigSecretRef: Secret {secretRef.Namespace}/{secretRef.Name} has no key '{secretRef.Key}'");
        }

        return string.IsNullOrWhiteSpace(_spec.Kubeconfig)
            ? throw new InvalidKubeconfigException("set one of spec.kubeconfig or spec.kubeconfigSecretRef")
            : _spec.Kubeconfig;
    }

    /// <summary>Writes (or confirms) this control plane's claim on the member; refuses a member claimed by another.</summary>
    private async Task ClaimAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var identity = await _controlPlane.GetIdentityAsync(cancellationToken);
        try
        {
            var claim = await client.CoreV1.ReadNamespacedConfigMapAsync(ClaimName, ClaimNamespace, cancellationToken: cancellationToken);
            var owner = (claim.Data is { } cd && cd.TryGetValue("controlPlane", out var cpv) ? cpv : null);
            if (owner != identity)
            {
                throw new ClaimedElsewhereException($"the member is already managed by another control plane ({owner}); delete ConfigMap {ClaimNamespace}/{ClaimName} in the member to move it here");
            }

            if ((claim.Data is { } ck && ck.TryGetValue("clusterKey", out var ckv) ? ckv : null) != _spec.ClusterKey)
            {
                claim.Data!["clusterKey"] = _spec.ClusterKey;
                await client.CoreV1.ReplaceNamespacedConfigMapAsync(claim, ClaimName, ClaimNamespace, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = ClaimName,
                    NamespaceProperty = ClaimNamespace,
                    Labels = new Dictionary<string, string> { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
                },
                Data = new Dictionary<string, string> { ["controlPlane"] = identity, ["clusterKey"] = _spec.ClusterKey },
            }, ClaimNamespace, cancellationToken: cancellationToken);
        }
    }

    private async Task<GatewayAddress?> ResolveGatewayAsync(CancellationToken cancellationToken)
    {
        if (_spec.GatewayHost is not { } host)
        {
            return null;
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            return new GatewayAddress(host, literal.ToString(), _spec.GatewayPort);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ProbeTimeout);
            var addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            var ip = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return new GatewayAddress(host, ip?.ToString() ?? "", _spec.GatewayPort);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // An unresolvable name still gives consumers the host to resolve themselves.
            return new GatewayAddress(host, "", _spec.GatewayPort);
        }
    }

    private void MarkDirty(string serviceKey) => _dirty.Add(serviceKey);

    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _cachesSynced.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await _dirty.RunAsync(DispatchConcurrency, ObserveAsync, (key, ex) => LogGrainCallFailed(ex, _spec.ClusterKey), cancellationToken);
    }

    /// <summary>Sends one service's full observation to its export grain; a failed send is retried, never dropped.</summary>
    private async Task ObserveAsync(string key, CancellationToken cancellationToken)
    {
        bool wasKnown;
        lock (_knownGate)
        {
            wasKnown = _known.Contains(key);
        }

        var hasExport = _observations.HasExport(key);
        if (!hasExport && !wasKnown && !_observations.HasOurIngress(key))
        {
            // Nothing was ever fed for it and no Ingress of ours is left behind: nothing to tell anyone.
            return;
        }

        var observation = _observations.Observe(key, _gateway, _clusterHealthy);
        var (ns, name) = ServiceKeys.ParseService(key);
        var sent = await SafeAsync(() => _grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(_spec.ClusterKey, ns, name)).Observe(observation));
        if (!sent)
        {
            await Task.Delay(_options.Informer.InitialBackoff, cancellationToken);
            MarkDirty(key);
            return;
        }

        lock (_knownGate)
        {
            var changed = observation.Export is null ? _known.Remove(key) : _known.Add(key);
            if (changed)
            {
                Interlocked.Exchange(ref _knownDirty, 1);
            }
        }
    }

    /// <summary>
    /// Checks that the member's flomesh.io CRDs can hold what the system writes, upgrading them when allowed, and
    /// reports the outcome to the owner. Never fails the session: an incompatible member is reported, not dropped.
    /// </summary>
    private async Task CheckCrdsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        CrdReport report;
        try
        {
            report = await CrdCompatibility.EnsureAsync(client, _options.UpgradeMemberCrds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (_, message) = ApiErrors.Describe(ex);
            report = new CrdReport(false, ConditionReasons.CrdsUnreadable, $"cannot read the member's flomesh.io CRDs: {message}", []);
        }

        if (!report.Compatible)
        {
            LogCrdsIncompatible(_spec.ClusterKey, report.Message);
        }

        await SafeAsync(() => Owner.ReportCrds(SessionId, report));
    }

    private async Task ReportAsync(SessionReport report) => await SafeAsync(() => Owner.ReportSession(report));

    private async Task<bool> SafeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            LogGrainCallFailed(ex, _spec.ClusterKey);
            return false;
        }
    }

    /// <summary>The exports this session has fed (including those not yet recorded by its owner).</summary>
    public IReadOnlyCollection<string> KnownExports
    {
        get
        {
            lock (_knownGate)
            {
                return [.. _known];
            }
        }
    }

    /// <summary>
    /// Stops feeding grains and waits until no observation is in flight, so nothing this session sends can land
    /// after the owner withdrew the member. Safe to await from the owning grain: dispatchers never call it.
    /// </summary>
    public async Task StopFeedingAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_dispatchers).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Member {ClusterKey} is not managed: {Reason}: {Message}")]
    private partial void LogConnectFailed(string clusterKey, string reason, string message);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Member {ClusterKey} has flomesh.io CRDs that cannot hold what the system writes: {Message}")]
    private partial void LogCrdsIncompatible(string clusterKey, string message);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "A grain call for member {ClusterKey} failed; it will be retried")]
    private partial void LogGrainCallFailed(Exception ex, string clusterKey);

    /// <summary>Routes one informer's changes into the observations and marks the affected service dirty.</summary>
    private sealed class Handler<T>(MemberSession session, Func<T, bool, string?> apply) : IInformerHandler<T>
        where T : class
    {
        public Task OnUpsertAsync(T obj, CancellationToken cancellationToken) => Mark(apply(obj, true));

        public Task OnDeleteAsync(T lastKnown, CancellationToken cancellationToken) => Mark(apply(lastKnown, false));

        public Task OnSyncedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private Task Mark(string? key)
        {
            if (key is not null)
            {
                session.MarkDirty(key);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>An Ingress change re-observes its own export and every export whose path conflict it may change.</summary>
    private sealed class IngressHandler(MemberSession session) : IInformerHandler<V1Ingress>
    {
        public Task OnUpsertAsync(V1Ingress obj, CancellationToken cancellationToken) => Mark(session._observations.SetIngress(obj, true));

        public Task OnDeleteAsync(V1Ingress lastKnown, CancellationToken cancellationToken) => Mark(session._observations.SetIngress(lastKnown, false));

        public Task OnSyncedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private Task Mark(IReadOnlyCollection<string> keys)
        {
            foreach (var key in keys)
            {
                session.MarkDirty(key);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>GlobalTrafficPolicies go straight to the member's writer, which evaluates them.</summary>
    private sealed class PolicyHandler(MemberSession session) : IInformerHandler<GlobalTrafficPolicyResource>
    {
        private IImportWriterGrain Writer => session._grains.GetGrain<IImportWriterGrain>(session._spec.ClusterKey);

        public Task OnUpsertAsync(GlobalTrafficPolicyResource obj, CancellationToken cancellationToken) =>
            Writer.SetPolicy(obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name, new TrafficPolicySpec(
                string.IsNullOrEmpty(obj.Spec.LbType) ? LbTypes.Locality : obj.Spec.LbType,
                (obj.Spec.Targets ?? []).Select(t => new PolicyTarget(t.ClusterKey, t.Weight)).ToImmutableArray(),
                obj.Metadata.Generation ?? 1));

        public Task OnDeleteAsync(GlobalTrafficPolicyResource lastKnown, CancellationToken cancellationToken) =>
            Writer.SetPolicy(lastKnown.Metadata.NamespaceProperty ?? "", lastKnown.Metadata.Name, null);

        public Task OnSyncedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The member is claimed by another control plane.</summary>
public sealed class ClaimedElsewhereException(string message) : Exception(message);
