using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// One multicluster.x-k8s.io ServiceExport in one member, the shape of the flomesh <c>ServiceExportGrain</c>: it turns
/// the member's observation into a contribution (or a reason why there is none) for the service's
/// <see cref="McsServiceImportGrain"/>, and decides Valid, Ready and Conflict (<see cref="McsExportDecisions"/>); the
/// member's silo-local engine writes them. Holds no durable state: the member's watchers re-send the full
/// observation after any restart.
/// </summary>
public sealed partial class McsServiceExportGrain(
    IGrainFactory grains,
    IMcsExportEngines engines,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILogger<McsServiceExportGrain> logger) : Grain, IMcsServiceExportGrain
{
    private string _clusterKey = "";
    private string _ns = "";
    private string _name = "";
    private McsExportDecisions _decisions = null!;
    private IMcsExportWorkSink? _engine;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_clusterKey, _ns, _name) = ServiceKeys.ParseExport(this.GetPrimaryKeyString());
        _engine = engines.Acquire(_clusterKey);
        _decisions = new McsExportDecisions(_clusterKey, _ns, _name, options.Value.ContributionRefreshInterval, _engine);
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

    public async Task Observe(McsExportObservation observation)
    {
        _decisions.Observe(observation, time.GetUtcNow());
        await ContributeAsync(_decisions.CurrentContribution);
        _decisions.SendStatus();
        if (_decisions.Done)
        {
            DeactivateOnIdle();
        }
    }

    public async Task SetVerdict(McsExportVerdict verdict)
    {
        _decisions.SetVerdict(verdict);

        // Left out (the import grain lost it): contribute again at once.
        if (_decisions.Observation is not null && _decisions.ContributionDue(_decisions.CurrentContribution))
        {
            await ContributeAsync(_decisions.CurrentContribution);
            _decisions.SendStatus();
        }
    }

    /// <summary>Withdraws, then has the engine clear the conditions, and waits (bounded) until it did or failed once.</summary>
    public async Task MemberLeft()
    {
        await Observe(new McsExportObservation(null, null, [], null));
        _decisions.Leave();
        if (_engine is not { } engine)
        {
            return;
        }

        try
        {
            await engines.WhenSettledAsync(engine, _ns, _name).WaitAsync(options.Value.RequestTimeout, time);
        }
        catch (TimeoutException)
        {
            LogLeaveUnfinished(_clusterKey, _ns, _name);
        }
    }

    public async Task Reconfirm()
    {
        // What the import grain holds of this export is not known any more: the next contribution goes whatever it is.
        // Not observed in this activation yet: the session's next observation brings it.
        _decisions.ForgetContribution();
        if (_decisions.Observation is not null)
        {
            await ContributeAsync(_decisions.CurrentContribution);
            _decisions.SendStatus();
        }
    }

    public Task<McsExportConditions?> GetConditions() => Task.FromResult(_decisions.Conditions);

    /// <summary>A fresh activation does not know what it contributed before, so its first contribution (or withdrawal) always goes.</summary>
    private async Task ContributeAsync(McsContribution? contribution)
    {
        if (_decisions.ContributionDue(contribution))
        {
            var verdict = await grains.GetGrain<IMcsServiceImportGrain>(ServiceKeys.Service(_ns, _name)).Contribute(_clusterKey, contribution);
            _decisions.Contributed(contribution, verdict, time.GetUtcNow());
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "MCS ServiceExport {Namespace}/{Name} in {ClusterKey}: its member left, but its conditions could not be removed in time; the member keeps them")]
    private partial void LogLeaveUnfinished(string clusterKey, string @namespace, string name);
}
