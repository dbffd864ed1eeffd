using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Health;
using ErieCanal.Orleans.Grains.Placement;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Sessions;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>
/// One member cluster: orders its Cluster object's upserts and removal, owns its session (<see cref="SessionSlot"/>),
/// judges its health (<see cref="MemberHealthJudge"/>), publishes each verdict and registers the member with the
/// directory. <see cref="MemberLifecycle"/> decides what that means for the Cluster object (conditions, Events, the
/// teardown of a member that left); the silo's <see cref="MemberEngine"/> does it: no Kubernetes I/O here. The store
/// never holds an inline kubeconfig, only its digest (<see cref="ClusterGrainState"/>).
/// </summary>
[RegionPlacement]
public sealed class ClusterGrain(
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
    private readonly MemberHealthJudge _health = new(time, options.Value.Health.MemberFreshness, options.Value.Health.UnhealthyThreshold, options.Value.Health.HealthyThreshold);
    private MemberLifecycle _lifecycle = null!;

    /// <summary>The full spec, inline kubeconfig included, in memory only; null while the kubeconfig is awaited (see <see cref="ClusterGrainState.Restore"/>).</summary>
    private ClusterSpec? _spec;
    private SessionSlot _session = null!;
    private DateTimeOffset _registeredAt = DateTimeOffset.MinValue;
    private IGrainTimer? _tick;
    private IGrainTimer? _healthChange;

    private string ClusterKey => this.GetPrimaryKeyString();

    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lifecycle = new MemberLifecycle(ClusterKey, _health, engine);
        _session = new SessionSlot(ClusterKey, sessions, engine);
        _lifecycle.Resume(state.State);
        (_spec, var stripped) = state.State.Activate(credentials.Find(ClusterKey)?.Kubeconfig);
        try
        {
            if (stripped)
            {
                await state.WriteOverStaleAsync();
            }
        }
        catch (Exception ex)
        {
            // The state in memory is stripped already: the grain's next write removes it from the store.
            logger.StripFailed(ClusterKey, ex.Message);
        }

        _session.Start(_spec, state.State);

        // Health is judged on each report; the tick only expires reports of silos gone silent (and resyncs).
        var tick = options.Value.Health.ProbeInterval * 2;
        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(tick, tick) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _tick?.Dispose();
        _healthChange?.Dispose();
        engine.Submit(new MemberDeactivated(ClusterKey));
        await _session.StopAsync(state.State);
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
            _session.Start(_spec, state.State);
            await RegisterAsync(force: false);
            return;
        }

        _spec = spec;
        if (verdict == UpsertVerdict.Reconnect)
        {
            await _session.StopAsync(state.State);
        }

        state.State.Keep(spec);
        state.State.Tombstone = null;
        _lifecycle.Upserted(state.State, spec);
        await state.WriteOverStaleAsync();
        _session.Start(_spec, state.State, reconnect: verdict == UpsertVerdict.Reconnect);
        logger.Upserted(ClusterKey, spec.ResourceVersion);
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
            logger.Removing(ClusterKey);
            await _session.StopAsync(state.State);
            await Directory.Unregister(ClusterKey);
            _lifecycle.Leave(spec, state.State.KnownExports);
            _spec = null;
            state.State.Forget();
            DeactivateOnIdle();
        }

        await state.WriteOverStaleAsync();
    }

    public async Task ReportSession(SessionReport report)
    {
        if (!IsCurrent(report.SessionId))
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
        if (IsCurrent(sessionId))
        {
            _lifecycle.CrdsReported(state.State, report);
        }

        return Task.CompletedTask;
    }

    public async Task RecordExports(string sessionId, ImmutableArray<string> serviceKeys)
    {
        if (IsCurrent(sessionId))
        {
            state.State.KnownExports = new HashSet<string>(serviceKeys, StringComparer.Ordinal);
            await state.WriteOverStaleAsync();
        }
    }

    /// <summary>Judged at once; a flip is applied by a one-shot timer, in turn with this grain's other work (this call interleaves).</summary>
    public Task ReportProbe(ProbeReport report)
    {
        if (state.State.Spec is not null && options.Value.Health.Enabled && _health.Record(report))
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

    public Task<bool?> HasExport(string serviceKey) => Task.FromResult(_session.HasExport(serviceKey, _lifecycle.Managed));

    public Task<ImmutableArray<ServiceProbeTarget>> GetServiceProbes() => Task.FromResult(_session.ProbeTargets());

    public Task<ClusterState> GetState() => Task.FromResult(new ClusterState(ClusterKey, silo.Name, _lifecycle.Managed, _lifecycle.Report.Reason,
        _lifecycle.Report.Message, _health.Healthy, _health.Reason, [.. state.State.KnownExports.Order(StringComparer.Ordinal)]));

    private bool IsCurrent(string sessionId) => state.State.Spec is not null && _session.IsCurrent(sessionId);

    /// <summary>
    /// Publishes a changed verdict. Health travels on its own path: the channel tells every writer, the directory
    /// keeps it for writers that activate later.
    /// </summary>
    private async Task ApplyHealthAsync()
    {
        if (_lifecycle.HealthToPublish(state.State) is not { } verdict)
        {
            return;
        }

        ErieCanalTelemetry.HealthTransitions.Add(1, new KeyValuePair<string, object?>("healthy", verdict.Healthy));
        logger.HealthChanged(ClusterKey, verdict.Healthy, _health.Reason, _health.Message);
        await state.WriteOverStaleAsync();
        try
        {
            var channels = ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(ChannelNames.Provider);
            await channels.GetChannelWriter<MemberHealth>(ChannelId.Create(ChannelNames.Health, ChannelNames.HealthKey)).Publish(verdict);
        }
        catch (Exception ex)
        {
            // Writers also read health from the directory on activation and repair.
            logger.PublishFailed(ClusterKey, ex.Message);
        }

        await RegisterAsync(force: true);
    }

    /// <summary>Expires the reports of silos gone silent (a flip is applied), resyncs the registration, moves home.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _health.Judge();
        await ApplyHealthAsync();
        if (state.State.Spec is not null && time.GetUtcNow() - _registeredAt > options.Value.ResyncInterval)
        {
            await RegisterAsync(force: true);
            if (affinity.ShouldMoveHome(ClusterKey))
            {
                // Placed before a silo of the member's region was up: move next to the member.
                logger.MovingHome(ClusterKey);
                MigrateOnIdle();
            }
        }
    }

    private async Task RegisterAsync(bool force)
    {
        if ((force || time.GetUtcNow() - _registeredAt >= options.Value.ResyncInterval) && _lifecycle.Registration(state.State) is { } member)
        {
            await Directory.Register(member);
            _registeredAt = time.GetUtcNow();
        }
    }
}
