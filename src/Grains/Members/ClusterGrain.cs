using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>
/// One member cluster. Orders its Cluster object's upserts and removal, owns its member session (started and stopped
/// through the silo's <see cref="MemberSessions"/>), judges its health from every silo's probes
/// (<see cref="MemberHealthJudge"/>), publishes each verdict on the health channel and registers the member with the
/// directory. What that means for the Cluster object — conditions, Events, the teardown of a member that left — is
/// decided by <see cref="MemberLifecycle"/> and carried out by the silo's <see cref="MemberEngine"/>: this grain does
/// no Kubernetes I/O. The grain store never holds an inline kubeconfig (only its digest): an activation takes it from
/// the silo's <see cref="MemberCredentials"/>, or from the watcher's next Upsert.
/// </summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Grains)] IPersistentState<ClusterGrainState> state,
    IGrainFactory grains,
    MemberSessions sessions,
    MemberEngine engine,
    MemberCredentials credentials,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILocalSiloDetails silo,
    RegionAffinity affinity,
    ILogger<ClusterGrain> logger) : Grain, IClusterGrain
{
    private readonly ILogger _logger = logger;
    private readonly MemberHealthJudge _health = new(time, options.Value.Health.MemberFreshness, options.Value.Health.UnhealthyThreshold, options.Value.Health.HealthyThreshold);
    private MemberLifecycle _lifecycle = null!;

    /// <summary>
    /// The full spec, inline kubeconfig included, in memory only (the stored one has none). Null while the member's
    /// kubeconfig is awaited: reactivated on a silo whose watcher has not resolved it yet, the grain is still a member
    /// (<c>state.State.Spec</c>) but starts its session only when an Upsert brings the spec.
    /// </summary>
    private ClusterSpec? _spec;
    private MemberSession? _session;
    private DateTimeOffset _registeredAt = DateTimeOffset.MinValue;
    private IGrainTimer? _tick;
    private IGrainTimer? _healthChange;
    private bool _publishedHealthy = true;

    private ErieCanalOptions Options => options.Value;

    private string ClusterKey => this.GetPrimaryKeyString();

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lifecycle = new MemberLifecycle(ClusterKey, _health, engine);

        // The verdict stands until the probes say otherwise: a member that was unhealthy is not declared healthy by a
        // new activation that has heard no probe yet (and one that recovered meanwhile is published as it recovers).
        _publishedHealthy = state.State.UnhealthyReason is null;
        _health.Resume(state.State.UnhealthyReason);
        if (state.State.Spec is { Kubeconfig: not null } written)
        {
            // State written by an older version holds the inline kubeconfig: rewritten without it at once.
            _spec = written;
            state.State.Keep(written);
            await WriteStateAsync(strip: true);
        }
        else
        {
            _spec = state.State.Restore(credentials.Find(ClusterKey)?.Kubeconfig);
        }

        StartSession();

        // Health is judged on each report; the tick only expires reports of silos gone silent (and resyncs).
        var tick = Options.Health.ProbeInterval * 2;
        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(tick, tick) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _tick?.Dispose();
        _healthChange?.Dispose();
        await StopSessionAsync();
    }

    public async Task Upsert(ClusterSpec spec)
    {
        var verdict = MemberLifecycle.Judge(state.State, spec);
        if (verdict == UpsertVerdict.Stale)
        {
            return;
        }

        if (verdict == UpsertVerdict.Same)
        {
            // An activation that awaited the kubeconfig (not in this silo's cache) takes it from here.
            _spec ??= spec;
            StartSession();
            await RegisterAsync(force: false);
            return;
        }

        _spec = spec;
        if (verdict == UpsertVerdict.Reconnect)
        {
            await StopSessionAsync();
        }

        state.State.Keep(spec);
        state.State.Tombstone = null;
        _lifecycle.Upserted(state.State, spec);
        await state.WriteOverStaleAsync();
        StartSession(reconnect: verdict == UpsertVerdict.Reconnect);
        LogUpserted(ClusterKey, spec.ResourceVersion);
        await RegisterAsync(force: true);
    }

    public async Task Remove(string lastResourceVersion)
    {
        var spec = state.State.Spec;
        state.State.Tombstone = MemberLifecycle.Tombstone(state.State, lastResourceVersion);
        if (spec is not null)
        {
            // Ordered: the session stops feeding (its last record folded in), the member leaves the directory so no
            // importer fans out to it, then the engine withdraws the rest off this turn.
            LogRemoving(ClusterKey);
            await StopSessionAsync();
            await Directory.Unregister(ClusterKey);
            _lifecycle.Leave(spec, state.State.KnownExports);
            _spec = null;
            state.State.Forget();
            state.State.KnownExports.Clear();
        }

        await state.WriteOverStaleAsync();
        if (spec is not null)
        {
            DeactivateOnIdle();
        }
    }

    public async Task ReportSession(SessionReport report)
    {
        if (state.State.Spec is null || report.SessionId != _session?.SessionId)
        {
            return;
        }

        var becameManaged = _lifecycle.SessionReported(state.State, report);
        await RegisterAsync(force: true);
        if (becameManaged)
        {
            await grains.GetGrain<IImportWriterGrain>(ClusterKey).Repair();
        }
    }

    public Task ReportCrds(string sessionId, CrdReport report)
    {
        if (state.State.Spec is not null && sessionId == _session?.SessionId)
        {
            _lifecycle.CrdsReported(state.State, report);
        }

        return Task.CompletedTask;
    }

    public async Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys)
    {
        if (state.State.Spec is not null && sessionId == _session?.SessionId)
        {
            state.State.KnownExports = new HashSet<string>(serviceKeys, StringComparer.Ordinal);
            await state.WriteOverStaleAsync();
        }
    }

    /// <summary>
    /// Judged at once (event-driven); a flip is applied by a one-shot timer, which runs in turn with this grain's
    /// other work (this call interleaves, and the flip persists state).
    /// </summary>
    public Task ReportProbe(ProbeReport report)
    {
        if (state.State.Spec is not null && Options.Health.Enabled && _health.Record(report))
        {
            _healthChange ??= this.RegisterGrainTimer(async _ =>
            {
                _healthChange?.Dispose();
                _healthChange = null;
                await ApplyHealthAsync();
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    public Task<bool?> HasExport(string serviceKey) =>
        Task.FromResult(_session is { } session && _lifecycle.Managed ? session.HasExport(serviceKey) : null);

    public Task<ImmutableArray<ServiceProbeTarget>> GetServiceProbes() => Task.FromResult(_session?.ServiceProbeTargets() ?? []);

    public Task<ClusterState> GetState() => Task.FromResult(new ClusterState(ClusterKey, silo.Name, _lifecycle.Managed, _lifecycle.Report.Reason,
        _lifecycle.Report.Message, _health.Healthy, _health.Reason, [.. state.State.KnownExports.Order(StringComparer.Ordinal)]));

    private void StartSession(bool reconnect = false)
    {
        if (_spec is { } spec && _session is null)
        {
            engine.Submit(new MemberJoined(ClusterKey));
            _session = sessions.Start(spec, state.State.KnownExports, reconnect);
        }
    }

    /// <summary>Awaits the session's feeding to stop (nothing it sends lands after) and folds in its last record of exports.</summary>
    private async Task StopSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            var fed = await sessions.StopAsync(session);
            state.State.KnownExports = new HashSet<string>(fed, StringComparer.Ordinal);
        }
    }

    /// <summary>Publishes the verdict if it differs from the last one published (it may have flipped back meanwhile).</summary>
    private async Task ApplyHealthAsync()
    {
        if (state.State.Spec is null || _health.Healthy == _publishedHealthy)
        {
            return;
        }

        // Health travels on its own path: the channel tells every writer, the directory keeps it for later ones.
        _publishedHealthy = _health.Healthy;
        ErieCanalTelemetry.HealthTransitions.Add(1, new KeyValuePair<string, object?>("healthy", _publishedHealthy));
        LogHealthChanged(ClusterKey, _publishedHealthy, _health.Reason, _health.Message);
        state.State.HealthSequence++;
        state.State.UnhealthyReason = _publishedHealthy ? null : _health.Reason;
        await state.WriteOverStaleAsync();
        try
        {
            var channels = ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(ChannelNames.Provider);
            var channel = channels.GetChannelWriter<MemberHealth>(ChannelId.Create(ChannelNames.Health, ChannelNames.HealthKey));
            await channel.Publish(new MemberHealth(ClusterKey, _publishedHealthy, state.State.HealthSequence, _health.Reason, _health.Since));
        }
        catch (Exception ex)
        {
            // Writers also read health from the directory on activation and repair.
            LogPublishFailed(ClusterKey, ex.Message);
        }

        await RegisterAsync(force: true);
        _lifecycle.HealthChanged(state.State);
    }

    /// <summary>Expires the reports of silos gone silent (a flip is applied), resyncs the registration, moves home.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is null)
        {
            return;
        }

        _health.Judge();
        await ApplyHealthAsync();
        if (time.GetUtcNow() - _registeredAt > Options.ResyncInterval)
        {
            await RegisterAsync(force: true);
            if (affinity.ShouldMoveHome(ClusterKey))
            {
                // Placed before a silo of the member's region was up: move next to the member.
                LogMovingHome(ClusterKey);
                MigrateOnIdle();
            }
        }
    }

    private async Task RegisterAsync(bool force)
    {
        if (state.State.Spec is not { } spec || (!force && time.GetUtcNow() - _registeredAt < Options.ResyncInterval))
        {
            return;
        }

        var gateway = spec.GatewayHost is { } host ? new GatewayAddress(host, host, spec.GatewayPort) : null;
        await Directory.Register(new ClusterInfo(ClusterKey, spec.Name, _lifecycle.Managed, _publishedHealthy, _lifecycle.Report.Synced, gateway, state.State.HealthSequence));
        _registeredAt = time.GetUtcNow();
    }

    private async Task WriteStateAsync(bool strip)
    {
        try
        {
            await state.WriteOverStaleAsync();
        }
        catch (Exception ex) when (strip)
        {
            // The state in memory is stripped already: the grain's next write removes it from the store.
            LogStripFailed(ClusterKey, ex.Message);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Member {ClusterKey} registered at resourceVersion {ResourceVersion}")]
    private partial void LogUpserted(string clusterKey, string resourceVersion);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Member {ClusterKey} is leaving: withdrawing its exports and imports")]
    private partial void LogRemoving(string clusterKey);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Member {ClusterKey} health: {Healthy} ({Reason}: {Message})")]
    private partial void LogHealthChanged(string clusterKey, bool healthy, string reason, string message);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Debug, Message = "Could not publish the health of member {ClusterKey}: {Message}")]
    private partial void LogPublishFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Member grain {ClusterKey} moves to a silo of its region")]
    private partial void LogMovingHome(string clusterKey);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Could not rewrite the state of member {ClusterKey} without its inline kubeconfig ({Message}); its next write does")]
    private partial void LogStripFailed(string clusterKey, string message);
}
