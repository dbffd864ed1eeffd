using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Exports;

namespace ErieCanal.Orleans.Grains.Exports;

/// <summary>
/// What one ServiceExport in one member means and what must be written for it, decided single-threaded inside its
/// grain. Each observation is judged (SPEC §3: <see cref="Evaluate"/>) and turned into the least work for the
/// member's engine: the Ingress only when the member does not hold it as decided, the conditions only when their
/// state changed. It also tracks what was contributed, so an unchanged contribution is not sent again (except now
/// and then, in case the store lost it). <c>pathHealthy</c> tells whether the service's path through the member's
/// gateway answers (the silos' probes' verdict).
/// </summary>
public sealed class ExportDecisions(string clusterKey, string ns, string name, ExportSettings settings, Func<bool> pathHealthy, IExportWorkSink sink)
{
    private ExportVerdict _verdict = new(false, ConditionReasons.NoService, "not observed yet", null, null);
    private ConflictVerdict _conflict = ConflictVerdict.None;
    private SentConditions? _sentConditions;
    private ExportContribution? _contributed;
    private bool _contributedKnown;
    private DateTimeOffset _contributedAt;

    /// <summary>The last observation (null: none in this activation).</summary>
    public ExportObservation? Observation { get; private set; }

    public ExportStatus Status => new(Observation?.Export is not null, _verdict.Valid, _verdict.Reason, _verdict.Message, _conflict);

    /// <summary>The export is gone and the member holds no Ingress of it: nothing is left for this activation to do.</summary>
    public bool Done => Observation is { Export: null, Ingress: null };

    /// <summary>Judges <paramref name="observation"/> and decides its Ingress; the conditions follow <see cref="SendStatus"/>.</summary>
    public ExportVerdict Observe(ExportObservation observation, DateTimeOffset now)
    {
        Observation = observation;
        if (now - _contributedAt >= settings.ContributionRefresh)
        {
            // Anti-entropy: now and then an unchanged contribution goes again, in case the store lost it.
            _contributedKnown = false;
        }

        _verdict = Evaluate(observation);

        // Applied whenever the member's Ingress is not as decided, so a hand edit or deletion is repaired.
        if (observation.Export is null || (_verdict.Ingress is null && observation.Ingress is not null))
        {
            sink.Submit(new DeleteExportIngress(ns, name));
        }
        else if (_verdict.Ingress is { } ingress && ingress != observation.Ingress)
        {
            sink.Submit(new ApplyExportIngress(ns, name, ingress));
        }

        return _verdict;
    }

    /// <summary>The contribution of the last observation, judged again (path health may have changed since).</summary>
    public ExportContribution? CurrentContribution() => Observation is { } observation ? Evaluate(observation).Contribution : null;

    /// <summary>Whether <paramref name="contribution"/> must be sent: it changed, or what the import grain holds is not known.</summary>
    public bool ContributionDue(ExportContribution? contribution) => !_contributedKnown || contribution != _contributed;

    /// <summary>The import grain took <paramref name="contribution"/> and answered with its conflict verdict.</summary>
    public void Contributed(ExportContribution? contribution, ConflictVerdict verdict, DateTimeOffset now)
    {
        _conflict = contribution is null ? ConflictVerdict.None : verdict;
        _contributed = contribution;
        _contributedKnown = true;
        _contributedAt = now;
    }

    /// <summary>What the service's grain holds of this export is not known any more: the next contribution goes whatever it is.</summary>
    public void ForgetContribution() => _contributedKnown = false;

    /// <summary>A verdict from the service's grain; true when it changed (the conditions follow).</summary>
    public bool SetConflict(ConflictVerdict verdict)
    {
        if (verdict == _conflict)
        {
            return false;
        }

        _conflict = verdict;
        SendStatus();
        return true;
    }

    /// <summary>Valid and Conflict on the export, when it exists and their state is not what was sent last.</summary>
    public void SendStatus()
    {
        if (Observation?.Export is not { } export)
        {
            return;
        }

        var sent = new SentConditions(export.Uid, export.Generation, Status);
        if (sent != _sentConditions)
        {
            sink.Submit(new WriteExportConditions(ns, name, export.Uid, export.Generation, sent.Status, export.HasStatus ? "" : export.ResourceVersion));
            _sentConditions = sent;
        }
    }

    /// <summary>The service's path through the gateway flipped: told as an Event on the export.</summary>
    public void PathHealthChanged(bool healthy, string reason, string message)
    {
        if (Observation?.Export is { } export)
        {
            sink.Submit(new RecordExportEvent(ns, name, export.Uid, !healthy, healthy ? "ServiceRecovered" : reason,
                $"through the gateway of cluster {ClusterKeys.Name(clusterKey)}: {message}"));
        }
    }

    /// <summary>The member left: the conditions this system wrote go (the Ingress went with the last observation).</summary>
    public void Leave()
    {
        sink.Submit(new ClearExportConditions(ns, name));
        _sentConditions = null;
    }

    /// <summary>
    /// SPEC §3: a missing Service or an ExternalName Service contributes nothing, with a reason; nor does an export
    /// whose path another Ingress of the gateway's class already claims. Only a valid export has an Ingress.
    /// </summary>
    public ExportVerdict Evaluate(ExportObservation o)
    {
        var cluster = ClusterKeys.Name(clusterKey);
        if (o.Export is not { } export)
        {
            return new(false, "Deleted", "the ServiceExport was deleted", null, null);
        }

        if (o.Service is not { } service)
        {
            return new(false, ConditionReasons.NoService, $"Service {ns}/{name} does not exist in cluster {cluster}", null, null);
        }

        if (service.WrittenForImport is { } import)
        {
            // A same-name or derived Service fronts an import: exporting it would send the service back out to itself.
            return new(false, ConditionReasons.NoService, $"Service {ns}/{name} in cluster {cluster} was written by erie-canal-orleans for the ServiceImport {import} (its endpoints are the client-side proxy); only a Service of your own can be exported", null, null);
        }

        if (service.Type == "ExternalName")
        {
            return new(false, ConditionReasons.InvalidServiceType, $"Service {ns}/{name} is of type ExternalName, which cannot be exported", null, null);
        }

        if (o.Gateway is not { } gateway)
        {
            return new(false, ConditionReasons.ClusterNotReady, $"Cluster {cluster} has no spec.gatewayHost, so its services cannot be reached from other clusters", null, null);
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
                    paths.Add(new IngressPath(path, string.IsNullOrEmpty(rule.PathType) ? "Prefix" : rule.PathType, name, port.Port));
                }
            }
        }

        if (ports.Count == 0)
        {
            var wanted = string.Join(", ", export.Rules.Select(r => r.PortNumber));
            return new(false, ConditionReasons.NoMatchingPorts, $"no port of Service {ns}/{name} matches the export's rules (portNumber {wanted})", null, null);
        }

        if (o.PathConflict is { } claim)
        {
            return new(false, ConditionReasons.PathConflict,
                $"path {claim.Path} is already claimed by Ingress {claim.Namespace}/{claim.IngressName} of ingress class {settings.IngressClass} in cluster {cluster}, so this export gets no Ingress", null, null);
        }

        var ingress = paths.Count == 0 ? null : new ExportIngress(settings.IngressClass, [.. paths], export.RewriteFrom, export.RewriteTo, export.Uid);

        // The service's own health here: some endpoint is ready and its gateway path does not fail. With health
        // checking off every valid export counts healthy, as in ErieCanal.
        var healthy = !settings.HealthChecks || (o.ReadyEndpoints > 0 && pathHealthy());
        var contribution = new ExportContribution(
            clusterKey,
            export.CreatedAt,
            service.Headless ? "Headless" : "ClusterSetIP",
            service.SessionAffinity,
            service.SessionAffinityTimeoutSeconds,
            export.ServiceAccountName,
            [.. ports],
            gateway,
            healthy,
            export.TargetClusters.IsDefault ? [] : export.TargetClusters);
        var how = ingress is null ? " (no spec.rules, so no Ingress: the gateway routes it only once a rule gives it a path)" : "";
        return new(true, ConditionReasons.Exported, $"exported from cluster {cluster} through gateway {gateway.Host}:{gateway.Port}{how}", contribution, ingress);
    }

    private sealed record SentConditions(string Uid, long Generation, ExportStatus Status);
}
