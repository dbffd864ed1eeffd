using ErieCanal.Orleans.Grains.Health;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Exports;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Grains.Exports;

/// <summary>
/// One ServiceExport in one member. It turns the member's observation into a contribution (or a clear reason why
/// there is none) for the service's ServiceImportGrain, and decides the export's Ingress and its Valid and Conflict
/// conditions (<see cref="ExportDecisions"/>); the member's silo-local engine (<see cref="MemberExportWriter"/>)
/// writes them, with the one retry contract, so no member call ever holds this grain.
/// The contribution carries the service's own health in this member: it has ready endpoints, and the silos' probes of
/// its path through the member's gateway do not answer 5xx (majority of silos, hysteresis: <see cref="MemberHealthJudge"/>).
/// Holds no durable state: the member's watchers re-send the full observation after any restart.
/// </summary>
public sealed partial class ServiceExportGrain(
    IGrainFactory grains,
    MemberExportWriters engines,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILogger<ServiceExportGrain> logger) : Grain, IServiceExportGrain
{
    // How many times a reconfirmation waits for an unsynced member session (one resync interval each).
    private const int ReconfirmAttempts = 40;
    private string _clusterKey = "";
    private string _ns = "";
    private string _name = "";
    private ExportDecisions _decisions = null!;
    private MemberExportWriter? _engine;
    private MemberHealthJudge _pathHealth = null!;
    private IGrainTimer? _reconfirm;
    private int _reconfirmAttempts;
    private IGrainTimer? _pathHealthChange;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_clusterKey, _ns, _name) = ServiceKeys.ParseExport(this.GetPrimaryKeyString());
        var o = options.Value;
        _pathHealth = new MemberHealthJudge(time, o.Health.ServiceFreshness, o.Health.UnhealthyThreshold, o.Health.HealthyThreshold);
        _engine = engines.Acquire(_clusterKey);
        var settings = new ExportSettings(o.IngressClass, o.Health.Enabled, o.ContributionRefreshInterval);
        _decisions = new ExportDecisions(_clusterKey, _ns, _name, settings, () => _pathHealth.Healthy, _engine);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Work decided already still lands: the engine stops only once its last holder left and its work settled.
        if (_engine is { } engine)
        {
            _engine = null;
            engines.Release(engine);
        }

        return Task.CompletedTask;
    }

    public async Task Observe(ExportObservation observation)
    {
        var verdict = _decisions.Observe(observation, time.GetUtcNow());
        await ContributeAsync(verdict.Contribution);
        _decisions.SendStatus();
        if (_decisions.Done)
        {
            DeactivateOnIdle();
        }
    }

    public Task SetConflict(ConflictVerdict verdict)
    {
        if (_decisions.SetConflict(verdict) && verdict.Conflict)
        {
            ErieCanalTelemetry.Conflicts.Add(1);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Judged at once; a flip re-evaluates the contribution on a one-shot timer, in turn with this grain's other work
    /// (this call interleaves, so a slow contribution never holds up the silos' probes).
    /// </summary>
    public Task ReportPathProbe(ProbeReport report)
    {
        if (options.Value.Health.Enabled && _decisions.Observation?.Export is not null && _pathHealth.Record(report))
        {
            _pathHealthChange ??= this.RegisterGrainTimer(async _ =>
            {
                _pathHealthChange?.Dispose();
                _pathHealthChange = null;
                await PathHealthChangedAsync();
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    public Task<ExportStatus> GetStatus() => Task.FromResult(_decisions.Status);

    /// <summary>
    /// Withdraws, then has the engine remove the Ingress and the conditions, and waits (bounded) until it did or
    /// failed once: the member's credentials go once its teardown returns.
    /// </summary>
    public async Task MemberLeft()
    {
        await Observe(new ExportObservation(null, null, 0, null));
        _decisions.Leave();
        if (_engine is not { } engine)
        {
            return;
        }

        try
        {
            await engine.WhenSettledAsync(_ns, _name).WaitAsync(options.Value.RequestTimeout, time);
        }
        catch (TimeoutException)
        {
            // An unreachable member keeps the stale conditions; they name a control plane that no longer manages it.
            LogLeaveUnfinished(_clusterKey, _ns, _name);
        }
    }

    public async Task Reconfirm()
    {
        // What the service's grain holds of this export is not known any more: the next contribution goes whatever it is.
        _decisions.ForgetContribution();
        if (_decisions.Observation is not null)
        {
            await ContributeAsync(_decisions.CurrentContribution());
            return;
        }

        // Not observed in this activation yet: the member says whether the export still exists. If it does, the
        // session's next observation brings it (and is sent, as nothing is known); if not, the store kept a
        // contribution of an export deleted meanwhile, so it is withdrawn.
        switch (await grains.GetGrain<IClusterGrain>(_clusterKey).HasExport(ServiceKeys.Service(_ns, _name)))
        {
            case false:
                LogWithdrawnStale(_clusterKey, _ns, _name);
                await ContributeAsync(null);
                DeactivateOnIdle();
                break;
            case null when _reconfirmAttempts++ < ReconfirmAttempts:
                // The member's session is not synced (connecting, offline): ask again later.
                _reconfirm?.Dispose();
                _reconfirm = this.RegisterGrainTimer(async _ =>
                {
                    _reconfirm?.Dispose();
                    _reconfirm = null;
                    await Reconfirm();
                }, new GrainTimerCreationOptions(options.Value.ResyncInterval, Timeout.InfiniteTimeSpan));
                break;
        }
    }

    /// <summary>A fresh activation does not know what it contributed before (state lives in the ServiceImportGrain), so its first contribution is always sent, withdrawals included.</summary>
    private async Task ContributeAsync(ExportContribution? contribution)
    {
        if (_decisions.ContributionDue(contribution))
        {
            var verdict = await grains.GetGrain<IServiceImportGrain>(ServiceKeys.Service(_ns, _name)).Contribute(_clusterKey, contribution);
            _decisions.Contributed(contribution, verdict, time.GetUtcNow());
        }
    }

    private async Task PathHealthChangedAsync()
    {
        if (_decisions.Observation?.Export is null)
        {
            return;
        }

        LogPathHealthChanged(_clusterKey, _ns, _name, _pathHealth.Healthy, _pathHealth.Reason, _pathHealth.Message);
        await ContributeAsync(_decisions.CurrentContribution());
        _decisions.PathHealthChanged(_pathHealth.Healthy, _pathHealth.Reason, _pathHealth.Message);
    }

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "ServiceExport {Namespace}/{Name} in {ClusterKey}: its member left, but its Ingress or conditions could not be removed in time; the member keeps them")]
    private partial void LogLeaveUnfinished(string clusterKey, string @namespace, string name);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "ServiceExport {Namespace}/{Name} no longer exists in {ClusterKey}; its contribution, kept by the store, is withdrawn")]
    private partial void LogWithdrawnStale(string clusterKey, string @namespace, string name);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "ServiceExport {Namespace}/{Name} in {ClusterKey} path health: {Healthy} ({Reason}: {Message})")]
    private partial void LogPathHealthChanged(string clusterKey, string @namespace, string name, bool healthy, string reason, string message);
}
