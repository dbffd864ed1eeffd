using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Logging;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Logging;
using k8s;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// The connection of the system to one member cluster, started and stopped by the silo's <see cref="MemberSessions"/>
/// for the member's ClusterGrain: takes the kubeconfig from the silo's <see cref="MemberCredentials"/>, claims the
/// member (<see cref="MemberClaim"/>), checks its flomesh.io CRDs, runs its informers (ServiceExports, Services,
/// EndpointSlices, Ingresses, GlobalTrafficPolicies) and feeds full observations to the export grains and policies to
/// the member's writer, through its <see cref="IMemberSink"/>. Event-driven: informer changes enqueue service keys on
/// a de-duplicating queue; informer failures, syncs and recoveries go to its <see cref="SessionReporter"/>. Every
/// retry follows the one contract: the connection after <see cref="RetryOptions"/> backoff, sends on keyed queues.
/// With MCS (<see cref="McsSessionParts"/>, <c>ErieCanal:Mcs:Enabled</c>) it has the member engine resolve the
/// member's cluster id on each connection and, given an observer, watches multicluster.x-k8s.io ServiceExports and
/// sends their observations (<see cref="McsObservations"/>) on the same queue.
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

    // What this session knows the member to have fed: the grain's record at start, then what it fed since. The
    // grain's persisted record stays the authority: it takes this set from the session's reports and its stop.
    private readonly ConcurrentDictionary<string, bool> _fed;
    private readonly MemberObservations _observations;
    private readonly McsSessionParts? _mcs;
    private readonly McsObservations _mcsObservations;
    private readonly ConcurrentDictionary<string, bool> _mcsFed = new(StringComparer.Ordinal);
    private readonly KeyedWorkQueue _dirty;
    private readonly SessionReporter _reporter;
    private readonly ExportRecord _record;
    private readonly FailureStreak _connectFailures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _cachesSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;
    private Task _dispatcher = Task.CompletedTask;
    private volatile GatewayAddress? _gateway;
    private volatile string? _kubeconfig;

    public MemberSession(ClusterSpec spec, IEnumerable<string> knownExports, IMemberSink sink, MemberCredentials credentials, ControlPlaneConnection controlPlane, ErieCanalOptions options, TimeProvider time, ILogger logger, McsSessionParts? mcs = null)
    {
        _spec = spec;
        _sink = sink;
        _credentials = credentials;
        _controlPlane = controlPlane;
        _options = options;
        _time = time;
        _logger = logger;
        _fed = new ConcurrentDictionary<string, bool>(knownExports.Select(k => KeyValuePair.Create(k, true)), StringComparer.Ordinal);
        _observations = new MemberObservations(options.IngressClass);
        _mcs = options.Mcs.Enabled ? mcs : null;
        _mcsObservations = new McsObservations(_observations.FindService);
        _dirty = new KeyedWorkQueue(options.Retry, time, logger, $"observations of member {spec.Name}");
        _reporter = new SessionReporter(SessionId, spec.Name, sink, Redact, options.Retry, time, logger);
        _record = new ExportRecord(() => Fed, keys => sink.RecordExports(SessionId, keys));

        // Fed exports are recorded once a burst of observations is through, not after each one.
        _dirty.Idle += _reporter.FlushExports;
        if (_mcs is not null)
        {
            _mcs.Identities.Changed += IdentityChanged;
        }
    }

    /// <summary>Identifies this session's reports, so a replaced session's late reports are ignored.</summary>
    public string SessionId { get; } = Guid.NewGuid().ToString("N");

    public string ClusterKey => _spec.ClusterKey;

    /// <summary>The exports this session has fed, including those not yet recorded by its owner.</summary>
    public ImmutableArray<string> Fed => [.. _fed.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether the member has a ServiceExport for the service; null until every watch has listed once.</summary>
    public bool? HasExport(string serviceKey) => _cachesSynced.Task.IsCompleted ? _observations.HasExport(serviceKey) : null;

    /// <summary>The exported services with paths on the member's gateway, for per-service health probes.</summary>
    public ImmutableArray<ServiceProbeTarget> ServiceProbeTargets() => _observations.ProbeTargets();

    /// <summary>Starts connecting, off the caller's scheduler.</summary>
    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>
    /// Stops feeding grains and waits until no observation is in flight (bounded), so nothing this session sends can
    /// land after its owner withdrew the member. Its reports may still be waiting on a call into the owner: they
    /// end with <see cref="DisposeAsync"/>, which the owner's turn must not await.
    /// </summary>
    public async Task StopFeedingAsync()
    {
        await _stop.CancelAsync();
        await _dispatcher.WaitAsync(_options.SessionStopTimeout, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops it whole. Idempotent: a grain's stop and the registry's shutdown may both come (the token source holds no timer, so it is not disposed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_mcs is not null)
        {
            _mcs.Identities.Changed -= IdentityChanged;
        }

        await _stop.CancelAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Connects until it serves; a failure is reported and retried after the contract's backoff.</summary>
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(_options.Retry);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ConnectAndServeAsync(refreshCredentials: backoff.Failures > 0, cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var (reason, message) = ex is ClaimedElsewhereException ? (ConditionReasons.ManagedElsewhere, ex.Message) : ApiErrors.Describe(ex);
                message = Redact(message);
                if (_connectFailures.Fail(reason))
                {
                    LogConnectFailed(_spec.ClusterKey, reason, message);
                }

                await TryReportAsync(false, reason, message);

                // A kubeconfig or claim that cannot work now waits for an edit (a new Upsert restarts the session).
                var delay = backoff.Next();
                var waitForEdit = ex is InvalidKubeconfigException or ClaimedElsewhereException;
                await Task.Delay(waitForEdit && delay < _options.ResyncInterval ? _options.ResyncInterval : delay, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ConnectAndServeAsync(bool refreshCredentials, CancellationToken cancellationToken)
    {
        await TryReportAsync(false, ConditionReasons.Connecting, "connecting to the member's API server");
        using var client = await CreateClientAsync(refreshCredentials, cancellationToken);
        await client.CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: cancellationToken);
        await MemberClaim.ClaimAsync(client, await _controlPlane.GetIdentityAsync(cancellationToken), _spec.ClusterKey, cancellationToken);
        _gateway = await GatewayResolver.ResolveAsync(_spec, _options.Health.ProbeTimeout, cancellationToken);
        _reporter.Crds(await CheckCrdsAsync(client, cancellationToken));
        if (_connectFailures.Succeed())
        {
            LogConnected(_spec.ClusterKey);
        }

        var watchMcs = await StartMcsAsync(client, cancellationToken);
        var watches = SessionWatches.Start(client, _spec.Name, _observations, _dirty.Add, _sink, _reporter.WatchChanged, _options.Informer, _logger, _time, cancellationToken,
            watchMcs ? _mcsObservations : null);
        _dispatcher = DispatchAsync(cancellationToken);
        var reports = _reporter.RunAsync(watches.States, ReconcileKnown, () => watches.Policies.Policies, () => Fed, cancellationToken);
        await ResyncAsync(client, cancellationToken);
        await Task.WhenAll(watches.Running, _dispatcher, reports);
    }

    /// <summary>The one place a session makes its member client (from the credentials this silo resolved).</summary>
    private async Task<IKubernetes> CreateClientAsync(bool refreshCredentials, CancellationToken cancellationToken)
    {
        _kubeconfig = await _credentials.ResolveAsync(_spec, refreshCredentials, cancellationToken);
        return _credentials.Connections.Load(_kubeconfig, _options.RequestTimeout, _options.AllowMemberExecCredentials);
    }

    /// <summary>
    /// Like WaitForCacheSync: nothing is sent until every cache is whole, so a restart never sends an export with
    /// half its picture (say, before its EndpointSlices were listed) and flaps its health. Then exports this member
    /// fed before (recorded by the grain) but no longer has were deleted while nobody watched: withdraw them.
    /// </summary>
    private void ReconcileKnown()
    {
        _cachesSynced.TrySetResult();
        foreach (var key in _fed.Keys.Where(k => !_observations.HasExport(k)).Concat(_observations.OrphanIngressKeys))
        {
            _dirty.Add(key);
        }
    }

    /// <summary>
    /// A resync period: a grain that lost its activation, or its state with a silo, is fed again even when nothing
    /// in the member changed (the exports' observations and the writer's policies); and someone may have applied
    /// older CRDs since, so they are checked again.
    /// </summary>
    private async Task ResyncAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        try
        {
            await _cachesSynced.Task.WaitAsync(cancellationToken);
            using var timer = new PeriodicTimer(_options.ResyncInterval, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var key in _observations.ExportKeys.Concat(_observations.OrphanIngressKeys).Concat(_mcsObservations.ExportKeys))
                {
                    _dirty.Add(key);
                }

                _reporter.SyncPolicies();
                _reporter.FlushExports();
                _reporter.Crds(await CheckCrdsAsync(client, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        await _cachesSynced.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        // A failed send throws; the queue puts the key back after its backoff (never dropped) and logs the streak.
        await _dirty.RunAsync(_options.ObservationConcurrency, ObserveAsync, cancellationToken);
    }

    /// <summary>Sends one service's full observation to its export grain.</summary>
    private async Task ObserveAsync(string key, CancellationToken cancellationToken)
    {
        if (McsObservations.ServiceKeyOf(key) is { } mcsService)
        {
            await ObserveMcsAsync(mcsService);
            return;
        }

        if (!_observations.HasExport(key) && !_fed.ContainsKey(key) && !_observations.HasOurIngress(key))
        {
            // Nothing was ever fed for it and no Ingress of ours is left behind: nothing to tell anyone.
            return;
        }

        var observation = _observations.Observe(key, _gateway);
        if (observation.Export is not null && _fed.TryAdd(key, true))
        {
            // Write-ahead: recorded before the first contribution can exist (see ExportRecord). A failed record
            // throws before anything is sent, and the key is tried again after its backoff.
            try
            {
                await _record.WriteAsync(cancellationToken);
            }
            catch
            {
                _fed.TryRemove(key, out _);
                throw;
            }
        }

        await _sink.Observe(key, observation);
        if (observation.Export is null && _fed.TryRemove(key, out _))
        {
            // A withdrawal is recorded after it was sent: a key recorded too long only costs a repeated withdrawal.
            _reporter.ExportsChanged();
        }
    }

    /// <summary>
    /// With MCS on: asks the member engine for the member's cluster id (each connection, so a fixed property is read
    /// again) and, given an observer, makes sure the MCS CRDs are there; true when MCS ServiceExports are to be
    /// watched. A member that cannot have them keeps its flomesh.io path (every watch must sync before any send).
    /// </summary>
    private async Task<bool> StartMcsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        if (_mcs is null)
        {
            return false;
        }

        _mcs.Engine.Submit(new EnsureClusterIdentity(_spec.ClusterKey, _spec.Name, _spec.Uid));
        if (_mcs.Observer is null)
        {
            return false;
        }

        if (await McsCrds.EnsureAsync(client, _options.UpgradeMemberCrds, cancellationToken) is { } problem)
        {
            LogMcsUnavailable(_spec.ClusterKey, Redact(problem));
            return false;
        }

        return true;
    }

    /// <summary>Sends one MCS export's full observation (with the member's cluster id as resolved now).</summary>
    private async Task ObserveMcsAsync(string serviceKey)
    {
        if (_mcs?.Observer is not { } observer || (!_mcsObservations.HasExport(serviceKey) && !_mcsFed.ContainsKey(serviceKey)))
        {
            return;
        }

        var observation = _mcsObservations.Observe(serviceKey, _mcs.Identities.IdOf(_spec.ClusterKey), _gateway);
        await observer.Observe(_spec.ClusterKey, serviceKey, observation);
        if (observation.Export is null)
        {
            _mcsFed.TryRemove(serviceKey, out _);
        }
        else
        {
            _mcsFed[serviceKey] = true;
        }
    }

    /// <summary>The member's cluster id moved: every MCS export is observed again with it.</summary>
    private void IdentityChanged(string clusterKey)
    {
        if (clusterKey == _spec.ClusterKey)
        {
            foreach (var key in _mcsObservations.ExportKeys)
            {
                _dirty.Add(key);
            }
        }
    }

    /// <summary>
    /// Whether the member's flomesh.io CRDs can hold what the system writes, upgrading them when allowed. Never fails
    /// the session: an incompatible member is reported, not dropped.
    /// </summary>
    private async Task<CrdReport> CheckCrdsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        CrdReport report;
        try
        {
            report = await CrdCompatibility.EnsureAsync(client, _options.UpgradeMemberCrds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report = new CrdReport(false, ConditionReasons.CrdsUnreadable, $"cannot read the member's flomesh.io CRDs: {ApiErrors.Describe(ex).Message}", []);
        }

        if (!report.Compatible)
        {
            LogCrdsIncompatible(_spec.ClusterKey, Redact(report.Message));
        }

        return report;
    }

    /// <summary>A connection report, sent at once (each is an Event); a failed send is logged, the next attempt reports again.</summary>
    private async Task TryReportAsync(bool connected, string reason, string message)
    {
        try
        {
            await _sink.ReportSession(new SessionReport(SessionId, connected, false, reason, message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            LogReportFailed(_spec.ClusterKey, ex.Message);
        }
    }

    /// <summary>A message with the member's credentials (inline, or from its Secret) masked.</summary>
    private string Redact(string message) => CredentialRedaction.Redact(CredentialRedaction.Redact(message, _spec.Kubeconfig), _kubeconfig);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Member {ClusterKey} is not managed: {Reason}: {Message}; retrying, logged again when it connects")]
    private partial void LogConnectFailed(string clusterKey, string reason, string message);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Member {ClusterKey} is connected again")]
    private partial void LogConnected(string clusterKey);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Member {ClusterKey} has flomesh.io CRDs that cannot hold what the system writes: {Message}")]
    private partial void LogCrdsIncompatible(string clusterKey, string message);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Member {ClusterKey} cannot have its multicluster.x-k8s.io ServiceExports watched: {Message}; its flomesh.io exports go on")]
    private partial void LogMcsUnavailable(string clusterKey, string message);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Could not report the connection of member {ClusterKey} to its grain ({Message}); its next attempt reports again")]
    private partial void LogReportFailed(string clusterKey, string message);
}
