using System.Collections.Immutable;
using System.Threading.Channels;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Logging;
using ErieCanal.Orleans.Watchers.Queues;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// The connection of the system to one member cluster, owned by that member's ClusterGrain: takes the kubeconfig
/// from the silo's <see cref="MemberCredentials"/>, claims the member (<see cref="MemberClaim"/>), checks its
/// flomesh.io CRDs, runs its informers (ServiceExports, Services, EndpointSlices, Ingresses, GlobalTrafficPolicies)
/// and feeds full observations to the export grains and policies to the member's writer, through its
/// <see cref="IMemberSink"/>. Event-driven: informer changes enqueue service keys on a de-duplicating queue, and
/// informer failures, syncs and recoveries wake the status loop; nothing polls.
/// Runs off the grain scheduler and reaches the grains only through its sink.
/// </summary>
public sealed partial class MemberSession : IAsyncDisposable
{
    private readonly ClusterSpec _spec;
    private readonly IMemberSink _sink;
    private readonly MemberCredentials _credentials;
    private readonly ControlPlaneConnection _controlPlane;
    private readonly ErieCanalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _known;
    private readonly Lock _gate = new();
    private readonly MemberObservations _observations;
    private readonly KeyedWorkQueue _dirty;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly FailureStreak _connectFailures = new();
    private readonly FailureStreak _sinkFailures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _cachesSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _run;
    private GatewayAddress? _gateway;
    private int _knownDirty;
    private Task _dispatcher = Task.CompletedTask;

    public MemberSession(
        ClusterSpec spec,
        IEnumerable<string> knownExports,
        IMemberSink sink,
        MemberCredentials credentials,
        ControlPlaneConnection controlPlane,
        ErieCanalOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _spec = spec;
        _sink = sink;
        _credentials = credentials;
        _controlPlane = controlPlane;
        _options = options;
        _time = time;
        _logger = logger;
        _known = new HashSet<string>(knownExports, StringComparer.Ordinal);
        _observations = new MemberObservations(options.IngressClass);
        _dirty = new KeyedWorkQueue(options.Retry, time, logger, $"observations of member {spec.Name}");
        _dirty.Idle += () =>
        {
            if (Volatile.Read(ref _knownDirty) == 1)
            {
                Wake();
            }
        };
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Identifies this session's reports, so a replaced session's late reports are ignored.</summary>
    public string SessionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The exports this session has fed (including those not yet recorded by its owner).</summary>
    public IReadOnlyCollection<string> KnownExports
    {
        get
        {
            lock (_gate)
            {
                return [.. _known];
            }
        }
    }

    /// <summary>Whether the member has a ServiceExport for the service; null until every watch has listed once.</summary>
    public bool? HasExport(string serviceKey) => _cachesSynced.Task.IsCompleted ? _observations.HasExport(serviceKey) : null;

    /// <summary>The exported services with paths on the member's gateway, for per-service health probes.</summary>
    public ImmutableArray<ServiceProbeTarget> ServiceProbeTargets() => _observations.ProbeTargets();

    /// <summary>
    /// Stops feeding grains and waits until no observation is in flight, so nothing this session sends can land
    /// after the owner withdrew the member. Safe to await from the owning grain: dispatchers never call it.
    /// </summary>
    public async Task StopFeedingAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _dispatcher.WaitAsync(_options.SessionStopTimeout, _time);
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

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.Informer.InitialBackoff;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ConnectAndServeAsync(refreshCredentials: attempt++ > 0, cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var (reason, message) = ex is ClaimedElsewhereException ? (ConditionReasons.ManagedElsewhere, ex.Message) : ApiErrors.Describe(ex);
                if (_connectFailures.Fail(reason))
                {
                    LogConnectFailed(_spec.ClusterKey, reason, message);
                }

                await SendAsync(() => _sink.ReportSession(new SessionReport(SessionId, false, false, reason, message)));
                var wait = ex is InvalidKubeconfigException or ClaimedElsewhereException ? _options.ResyncInterval : backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.Informer.MaxBackoff.Ticks));
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ConnectAndServeAsync(bool refreshCredentials, CancellationToken cancellationToken)
    {
        await SendAsync(() => _sink.ReportSession(new SessionReport(SessionId, false, false, ConditionReasons.Connecting, "connecting to the member's API server")));
        var kubeconfig = await _credentials.ResolveAsync(_spec, refreshCredentials, cancellationToken);
        using var client = _credentials.Connections.Load(kubeconfig, _options.RequestTimeout, _options.AllowMemberExecCredentials);
        await client.CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: cancellationToken);
        await MemberClaim.ClaimAsync(client, await _controlPlane.GetIdentityAsync(cancellationToken), _spec.ClusterKey, cancellationToken);
        _gateway = await GatewayResolver.ResolveAsync(_spec, _options.Health.ProbeTimeout, cancellationToken);
        await CheckCrdsAsync(client, cancellationToken);
        if (_connectFailures.Succeed())
        {
            LogConnected(_spec.ClusterKey);
        }

        var watches = new List<WatchState>();
        ResourceInformer<T> Informer<T>(IResourceSource<T> source, IInformerHandler<T> handler)
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            var state = new WatchState(Wake);
            watches.Add(state);
            return new ResourceInformer<T>(new ReportingSource<T>(source, state, cancellationToken), new SyncReporting<T>(handler, state), _options.Informer, _logger);
        }

        var policies = new PolicyHandler(_sink);
        var informers = new[]
        {
            Informer(ResourceSources.Custom<ServiceExportResource>(client, ServiceExportResource.Group, ServiceExportResource.Version, ServiceExportResource.Plural, namespaced: true, $"serviceexports on {_spec.Name}"),
                new ObservationHandler<ServiceExportResource>(MarkDirty, (o, present) => _observations.SetExport(o, present))).RunAsync(cancellationToken),
            Informer(ResourceSources.Services(client, $"services on {_spec.Name}"),
                new ObservationHandler<V1Service>(MarkDirty, (o, present) => _observations.SetService(o, present))).RunAsync(cancellationToken),
            Informer(ResourceSources.EndpointSlices(client, $"endpointslices on {_spec.Name}"),
                new ObservationHandler<V1EndpointSlice>(MarkDirty, (o, present) => _observations.SetSlice(o, present))).RunAsync(cancellationToken),
            Informer(ResourceSources.Ingresses(client, $"ingresses on {_spec.Name}"), new IngressHandler(MarkDirty, _observations)).RunAsync(cancellationToken),
            Informer(ResourceSources.Custom<GlobalTrafficPolicyResource>(client, GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, GlobalTrafficPolicyResource.Plural, namespaced: true, $"globaltrafficpolicies on {_spec.Name}"),
                policies).RunAsync(cancellationToken),
        };
        _dispatcher = DispatchAsync(cancellationToken);
        var resync = ResyncAsync(client, policies, cancellationToken);
        await ReportAsync(watches, cancellationToken);
        await Task.WhenAll(informers.Append(_dispatcher).Append(resync));
    }

    /// <summary>
    /// Reports the session's state whenever an informer syncs, fails or recovers, and records the fed exports when
    /// they changed. Managed=True only once every watch has synced.
    /// </summary>
    private async Task ReportAsync(IReadOnlyList<WatchState> watches, CancellationToken cancellationToken)
    {
        var reported = (Connected: false, Synced: false, Reason: "");
        var reconciledKnown = false;
        var knownRecordedAt = _time.GetUtcNow();
        Wake();
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken))
            {
                _wake.Reader.TryRead(out _);
                var synced = watches.All(w => w.Synced);
                if (synced && !reconciledKnown)
                {
                    ReconcileKnown();
                    reconciledKnown = true;
                }

                var error = watches.Select(w => w.Error).FirstOrDefault(e => e is not null);
                var state = error is null
                    ? (Connected: true, Synced: synced, Reason: synced ? ConditionReasons.Connected : ConditionReasons.Connecting)
                    : (Connected: false, Synced: synced, Reason: ApiErrors.Describe(error).Reason);
                if (state != reported)
                {
                    var message = error is null
                        ? synced ? "connected; watches of ServiceExports, Services, EndpointSlices, Ingresses and GlobalTrafficPolicies are synced" : "watches are syncing"
                        : ApiErrors.Describe(error).Message;
                    if (await SendAsync(() => _sink.ReportSession(new SessionReport(SessionId, state.Connected, state.Synced, state.Reason, message))))
                    {
                        reported = state;
                    }
                    else
                    {
                        WakeLater();
                    }
                }

                // The fed exports are recorded once a burst of observations is through (or every resync interval
                // under constant churn), not after each one: each record carries the whole set.
                var recordNow = _dirty.Pending == 0 || _time.GetUtcNow() - knownRecordedAt >= _options.ResyncInterval;
                if (recordNow && Interlocked.Exchange(ref _knownDirty, 0) == 1)
                {
                    knownRecordedAt = _time.GetUtcNow();
                    ImmutableArray<string> snapshot;
                    lock (_gate)
                    {
                        snapshot = [.. _known];
                    }

                    if (!await SendAsync(() => _sink.RecordExports(SessionId, snapshot)))
                    {
                        Interlocked.Exchange(ref _knownDirty, 1);
                        WakeLater();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Like WaitForCacheSync: nothing is sent until every cache is whole, so a restart never sends an export with
    /// half its picture (say, before its EndpointSlices were listed) and flaps its health. Then exports this member
    /// fed before (persisted by the grain) but no longer has were deleted while nobody watched: withdraw them.
    /// </summary>
    private void ReconcileKnown()
    {
        _cachesSynced.TrySetResult();
        string[] missing;
        lock (_gate)
        {
            missing = _known.Where(k => !_observations.HasExport(k)).ToArray();
        }

        foreach (var key in missing.Concat(_observations.OrphanIngressKeys))
        {
            MarkDirty(key);
        }
    }

    /// <summary>
    /// A resync period: a grain that lost its activation, or its state with a silo, is fed again even when nothing
    /// in the member changed (the exports' observations and the writer's policies); and someone may have applied
    /// older CRDs since, so they are checked again.
    /// </summary>
    private async Task ResyncAsync(IKubernetes client, PolicyHandler policies, CancellationToken cancellationToken)
    {
        try
        {
            await _cachesSynced.Task.WaitAsync(cancellationToken);
            using var timer = new PeriodicTimer(_options.ResyncInterval, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var key in _observations.ExportKeys.Concat(_observations.OrphanIngressKeys))
                {
                    MarkDirty(key);
                }

                await SendAsync(() => _sink.SyncPolicies(policies.Policies));
                await CheckCrdsAsync(client, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>After a failed report: try again once the retry delay passed, even if nothing else changes.</summary>
    private void WakeLater() =>
        _ = Task.Delay(_options.Retry.InitialBackoff, _time, _stop.Token).ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

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

        // A failed send throws; the queue puts the key back after its backoff (never dropped), and the session
        // reports the failure streak.
        await _dirty.RunAsync(_options.ObservationConcurrency, ObserveAsync, (_, ex) => SinkFailed(ex), cancellationToken);
    }

    /// <summary>Sends one service's full observation to its export grain.</summary>
    private async Task ObserveAsync(string key, CancellationToken cancellationToken)
    {
        bool wasKnown;
        lock (_gate)
        {
            wasKnown = _known.Contains(key);
        }

        if (!_observations.HasExport(key) && !wasKnown && !_observations.HasOurIngress(key))
        {
            // Nothing was ever fed for it and no Ingress of ours is left behind: nothing to tell anyone.
            return;
        }

        var observation = _observations.Observe(key, _gateway);
        await _sink.Observe(key, observation);
        SinkSucceeded();
        bool changed;
        lock (_gate)
        {
            changed = observation.Export is null ? _known.Remove(key) : _known.Add(key);
        }

        if (changed)
        {
            Interlocked.Exchange(ref _knownDirty, 1);
            Wake();
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

        await SendAsync(() => _sink.ReportCrds(SessionId, report));
    }

    /// <summary>One call through the sink; false when it failed (logged once per streak, not per retry).</summary>
    private async Task<bool> SendAsync(Func<Task> call)
    {
        try
        {
            await call();
            SinkSucceeded();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            SinkFailed(ex);
            return false;
        }
    }

    private void SinkFailed(Exception ex)
    {
        bool first;
        lock (_gate)
        {
            first = _sinkFailures.Fail(ex.GetType().FullName ?? "");
        }

        if (first)
        {
            LogGrainCallFailed(_spec.ClusterKey, ex.Message);
        }
    }

    private void SinkSucceeded()
    {
        bool recovered;
        lock (_gate)
        {
            recovered = _sinkFailures.Succeed();
        }

        if (recovered)
        {
            LogGrainCallsRecovered(_spec.ClusterKey);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Member {ClusterKey} is not managed: {Reason}: {Message}; retrying, logged again when it connects")]
    private partial void LogConnectFailed(string clusterKey, string reason, string message);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Member {ClusterKey} is connected again")]
    private partial void LogConnected(string clusterKey);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Member {ClusterKey} has flomesh.io CRDs that cannot hold what the system writes: {Message}")]
    private partial void LogCrdsIncompatible(string clusterKey, string message);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Grain calls for member {ClusterKey} fail ({Message}); retrying, logged again when they succeed")]
    private partial void LogGrainCallFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Grain calls for member {ClusterKey} succeed again")]
    private partial void LogGrainCallsRecovered(string clusterKey);
}
