using System.Text.Json.Nodes;
using ErieCanal.Orleans.Grains.Imports;
using ErieCanal.Orleans.Grains.Kubernetes;
using ErieCanal.Orleans.Grains.Members;
using ErieCanal.Orleans.Grains.Telemetry;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Grains.Services;

/// <summary>
/// One ServiceExport in one member. It turns the member's observation into a contribution (or a clear reason why
/// there is none), keeps the export's Ingress in the member as a valid export needs it (and absent otherwise), hands
/// the contribution to the service's ServiceImportGrain, and reports Valid and Conflict on the export.
/// The contribution carries the service's own health in this member: it has ready endpoints, and the silos' probes of
/// its path through the member's gateway do not answer 5xx (majority of silos, hysteresis: <see cref="MemberHealthJudge"/>).
/// Holds no durable state: the member's watchers re-send the full observation after any restart. A failed write is
/// retried on a grain timer with exponential backoff, logged when failures start and when they end.
/// </summary>
public sealed partial class ServiceExportGrain(
    IGrainFactory grains,
    MemberClients clients,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILogger<ServiceExportGrain> logger) : Grain, IServiceExportGrain
{
    // How many times a reconfirmation waits for an unsynced member session (one resync interval each).
    private const int ReconfirmAttempts = 40;
    private string _clusterKey = "";
    private string _ns = "";
    private string _name = "";
    private ExportObservation? _observation;
    private ExportContribution? _contributed;
    private bool _contributedKnown;
    private DateTimeOffset _contributedAt;
    private IGrainTimer? _reconfirm;
    private int _reconfirmAttempts;
    private ConflictVerdict _verdict = ConflictVerdict.None;
    private ExportStatus _status = new(false, false, ConditionReasons.NoService, "not observed yet", ConflictVerdict.None);
    private readonly FailureStreak _failures = new();
    private ConditionWriter? _conditions;
    private ExportIngress? _ingressWanted;
    private bool _ingressSynced = true;
    private IGrainTimer? _retry;
    private IGrainTimer? _pathHealthChange;
    private MemberHealthJudge? _pathHealth;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_clusterKey, _ns, _name) = ServiceKeys.ParseExport(this.GetPrimaryKeyString());
        _conditions = new ConditionWriter(ServiceExportResource.Plural, _ns, _name, time);
        var health = options.Value.Health;
        _pathHealth = new MemberHealthJudge(time, health.ServiceFreshness, health.UnhealthyThreshold, health.HealthyThreshold);
        return Task.CompletedTask;
    }

    public async Task Observe(ExportObservation observation)
    {
        _observation = observation;
        if (time.GetUtcNow() - _contributedAt >= options.Value.ContributionRefreshInterval)
        {
            // Anti-entropy: now and then an unchanged contribution goes again, in case the store lost it.
            _contributedKnown = false;
        }

        var (valid, reason, message, contribution, ingress) = Evaluate(observation);

        // The Ingress first: importers are told to route here only once the gateway can route on.
        _ingressWanted = ingress;
        _ingressSynced = observation.Export is not null && ValueEquality.Same(ingress, observation.Ingress);
        await SyncIngressAsync();
        await ContributeAsync(contribution);
        _status = new ExportStatus(observation.Export is not null, valid, reason, message, _verdict);
        if (observation.Export is null)
        {
            if (_ingressSynced)
            {
                DeactivateOnIdle();
            }

            return;
        }

        if (observation.Export is { HasStatus: false } fresh)
        {
            _conditions!.SeedEmpty(fresh.ResourceVersion);
        }

        await WriteStatusAsync();
    }

    public async Task SetConflict(ConflictVerdict verdict)
    {
        if (Equals(verdict, _verdict))
        {
            return;
        }

        _verdict = verdict;
        _status = _status with { Conflict = verdict };
        if (verdict.Conflict)
        {
            ErieCanalTelemetry.Conflicts.Add(1);
        }

        if (_observation?.Export is not null)
        {
            await WriteStatusAsync();
        }
    }

    /// <summary>
    /// Judged at once; a flip re-evaluates the contribution on a one-shot timer, in turn with this grain's other work
    /// (this call interleaves, so a slow write never holds up the silos' probes).
    /// </summary>
    public Task ReportPathProbe(ProbeReport report)
    {
        if (options.Value.Health.Enabled && _observation?.Export is not null && _pathHealth!.Record(report))
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

    public Task<ExportStatus> GetStatus() => Task.FromResult(_status);

    public async Task MemberLeft()
    {
        await Observe(new ExportObservation(null, null, 0, null));
        try
        {
            await ConditionWriter.ClearAsync(await clients.GetAsync(_clusterKey), ServiceExportResource.Plural, _ns, _name, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // An unreachable member keeps the stale conditions; they name a control plane that no longer manages it.
            LogWriteFailed(_clusterKey, _ns, _name, "conditions", ex.Message);
        }
    }

    /// <summary>A fresh activation does not know what it contributed before (state lives in the ServiceImportGrain), so its first contribution is always sent, withdrawals included.</summary>
    private async Task ContributeAsync(ExportContribution? contribution)
    {
        if (!_contributedKnown || !ValueEquality.Same(contribution, _contributed))
        {
            var verdict = await grains.GetGrain<IServiceImportGrain>(ServiceKeys.Service(_ns, _name)).Contribute(_clusterKey, contribution);
            _verdict = contribution is null ? ConflictVerdict.None : verdict;
            _contributed = contribution;
            _contributedKnown = true;
            _contributedAt = time.GetUtcNow();
        }
    }

    public async Task Reconfirm()
    {
        // What the service's grain holds of this export is not known any more: the next contribution goes whatever it is.
        _contributedKnown = false;
        if (_observation is { } observation)
        {
            await ContributeAsync(Evaluate(observation).Contribution);
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

    private async Task PathHealthChangedAsync()
    {
        if (_observation is not { Export: { } export } observation)
        {
            return;
        }

        var judge = _pathHealth!;
        LogPathHealthChanged(_clusterKey, _ns, _name, judge.Healthy, judge.Reason, judge.Message);
        await ContributeAsync(Evaluate(observation).Contribution);
        try
        {
            var client = await clients.GetAsync(_clusterKey);
            await KubeEvents.RecordAsync(client, "ServiceExport", _ns, _name, export.Uid, !judge.Healthy,
                judge.Healthy ? "ServiceRecovered" : judge.Reason, $"through the gateway of cluster {ClusterKeys.Name(_clusterKey)}: {judge.Message}", CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogEventFailed(ex, _clusterKey, _ns, _name);
        }
    }

    /// <summary>
    /// The service's own health here: some endpoint is ready and its gateway path does not fail. With health checking
    /// off every valid export counts healthy, as in ErieCanal.
    /// </summary>
    private bool ServiceHealthy(ExportObservation o) =>
        !options.Value.Health.Enabled || (o.ReadyEndpoints > 0 && _pathHealth!.Healthy);

    /// <summary>
    /// SPEC §3: a missing Service or an ExternalName Service contributes nothing, with a reason; nor does an export
    /// whose path another Ingress of the gateway's class already claims. Only a valid export has an Ingress.
    /// </summary>
    private (bool Valid, string Reason, string Message, ExportContribution? Contribution, ExportIngress? Ingress) Evaluate(ExportObservation o)
    {
        var cluster = ClusterKeys.Name(_clusterKey);
        if (o.Export is not { } export)
        {
            return (false, "Deleted", "the ServiceExport was deleted", null, null);
        }

        if (o.Service is not { } service)
        {
            return (false, ConditionReasons.NoService, $"Service {_ns}/{_name} does not exist in cluster {cluster}", null, null);
        }

        if (service.Type == "ExternalName")
        {
            return (false, ConditionReasons.InvalidServiceType, $"Service {_ns}/{_name} is of type ExternalName, which cannot be exported", null, null);
        }

        if (o.Gateway is not { } gateway)
        {
            return (false, ConditionReasons.ClusterNotReady, $"Cluster {cluster} has no spec.gatewayHost, so its services cannot be reached from other clusters", null, null);
        }

        var ports = new List<ContributedPort>();
        var paths = new List<IngressPath>();
        if (export.Rules.IsDefaultOrEmpty)
        {
            // No rules, no paths: every port is imported at "/", but no Ingress is written, since "/" of one member's
            // gateway cannot belong to every rule-less export at once.
            ports.AddRange(service.Ports.Select(p => new ContributedPort(p.Name, p.Protocol, p.Port, p.AppProtocol, "/")));
        }
        else
        {
            foreach (var rule in export.Rules)
            {
                var port = service.Ports.FirstOrDefault(p => p.Port == rule.PortNumber);
                if (port is not null)
                {
                    var path = string.IsNullOrEmpty(rule.Path) ? "/" : rule.Path;
                    ports.Add(new ContributedPort(port.Name, port.Protocol, port.Port, port.AppProtocol, path));
                    paths.Add(new IngressPath(path, string.IsNullOrEmpty(rule.PathType) ? "Prefix" : rule.PathType, _name, port.Port));
                }
            }
        }

        if (ports.Count == 0)
        {
            var wanted = string.Join(", ", export.Rules.Select(r => r.PortNumber));
            return (false, ConditionReasons.NoMatchingPorts, $"no port of Service {_ns}/{_name} matches the export's rules (portNumber {wanted})", null, null);
        }

        var ingressClass = options.Value.IngressClass;
        if (o.PathConflict is { } claim)
        {
            return (false, ConditionReasons.PathConflict,
                $"path {claim.Path} is already claimed by Ingress {claim.Namespace}/{claim.IngressName} of ingress class {ingressClass} in cluster {cluster}, so this export gets no Ingress", null, null);
        }

        var ingress = paths.Count == 0 ? null : new ExportIngress(ingressClass, [.. paths], export.RewriteFrom, export.RewriteTo, export.Uid);

        var contribution = new ExportContribution(
            _clusterKey,
            export.CreatedAt,
            service.Headless ? "Headless" : "ClusterSetIP",
            service.SessionAffinity,
            service.SessionAffinityTimeoutSeconds,
            export.ServiceAccountName,
            [.. ports],
            gateway,
            ServiceHealthy(o),
            export.TargetClusters.IsDefault ? [] : export.TargetClusters);
        var how = ingress is null ? " (no spec.rules, so no Ingress: the gateway routes it only once a rule gives it a path)" : "";
        return (true, ConditionReasons.Exported, $"exported from cluster {cluster} through gateway {gateway.Host}:{gateway.Port}{how}", contribution, ingress);
    }

    /// <summary>
    /// Makes the member's Ingress for this export what it should be: applied when wanted and not as observed (so
    /// a hand edit or deletion is repaired on the next observation), deleted when not wanted.
    /// </summary>
    private async Task SyncIngressAsync()
    {
        if (_ingressSynced)
        {
            return;
        }

        try
        {
            var client = await clients.GetAsync(_clusterKey);
            if (_ingressWanted is { } wanted)
            {
                await IngressWriter.ApplyAsync(client, _ns, _name, wanted, CancellationToken.None);
            }
            else
            {
                await IngressWriter.DeleteAsync(client, _ns, _name, CancellationToken.None);
            }

            _ingressSynced = true;
            Succeeded();
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // The namespace (and the export with it) is going away.
            _ingressSynced = true;
        }
        catch (Exception ex)
        {
            Failed("Ingress", ex);
        }
    }

    private async Task WriteStatusAsync()
    {
        var generation = _observation?.Export?.Generation;
        try
        {
            var client = await clients.GetAsync(_clusterKey);
            var change = await _conditions!.WriteAsync(client,
            [
                new ConditionUpdate(ConditionTypes.Valid, _status.Valid, _status.ValidReason, _status.ValidMessage, generation),
                new ConditionUpdate(ConditionTypes.Conflict, _verdict.Conflict, _verdict.Reason, _verdict.Message, generation),
            ], new Dictionary<string, JsonNode?> { ["observedGeneration"] = generation }, CancellationToken.None);
            if (change.Written)
            {
                await RecordTransitionsAsync(client, change.Before, change.After);
            }

            Succeeded();
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // The export was deleted in the meantime; its deletion is on its way.
        }
        catch (Exception ex)
        {
            Failed("status", ex);
        }
    }

    /// <summary>An event for each condition that changed status, so `kubectl describe sexp` tells the story.</summary>
    private async Task RecordTransitionsAsync(k8s.IKubernetes client, IReadOnlyList<Condition> before, IReadOnlyList<Condition> after)
    {
        if (_observation?.Export is not { } export)
        {
            return;
        }

        foreach (var condition in after)
        {
            var previous = before.FirstOrDefault(c => c.Type == condition.Type);
            if (previous?.Status == condition.Status && previous.Reason == condition.Reason)
            {
                continue;
            }

            var warning = condition.Type == ConditionTypes.Valid ? condition.Status != "True" : condition.Status == "True";
            if (!warning && previous is null)
            {
                continue;
            }

            try
            {
                await KubeEvents.RecordAsync(client, "ServiceExport", _ns, _name, export.Uid, warning, condition.Reason, condition.Message, CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogEventFailed(ex, _clusterKey, _ns, _name);
            }
        }
    }

    private void Failed(string what, Exception ex)
    {
        if (_failures.Fail(what))
        {
            LogWriteFailed(_clusterKey, _ns, _name, what, ex.Message);
        }

        ScheduleRetry();
    }

    private void Succeeded()
    {
        if (_failures.Succeed())
        {
            LogWriteRecovered(_clusterKey, _ns, _name);
        }
    }

    /// <summary>One retry timer at a time, its delay doubling with each failure in a row (bounded by the options).</summary>
    private void ScheduleRetry()
    {
        var delay = options.Value.Retry.DelayAfter(_failures.Failures);
        _retry?.Dispose();
        _retry = this.RegisterGrainTimer(async _ =>
        {
            _retry?.Dispose();
            _retry = null;
            await SyncIngressAsync();
            if (_observation?.Export is not null)
            {
                _conditions?.Forget();
                await WriteStatusAsync();
            }
        }, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Could not write the {What} of ServiceExport {Namespace}/{Name} in {ClusterKey} ({Message}); retrying with backoff, logged again when it succeeds")]
    private partial void LogWriteFailed(string clusterKey, string @namespace, string name, string what, string message);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Writes of ServiceExport {Namespace}/{Name} in {ClusterKey} succeed again")]
    private partial void LogWriteRecovered(string clusterKey, string @namespace, string name);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "ServiceExport {Namespace}/{Name} no longer exists in {ClusterKey}; its contribution, kept by the store, is withdrawn")]
    private partial void LogWithdrawnStale(string clusterKey, string @namespace, string name);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "ServiceExport {Namespace}/{Name} in {ClusterKey} path health: {Healthy} ({Reason}: {Message})")]
    private partial void LogPathHealthChanged(string clusterKey, string @namespace, string name, bool healthy, string reason, string message);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Could not record an event for ServiceExport {Namespace}/{Name} in {ClusterKey}")]
    private partial void LogEventFailed(Exception ex, string clusterKey, string @namespace, string name);
}
