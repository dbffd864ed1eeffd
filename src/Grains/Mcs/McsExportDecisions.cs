using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// What one MCS ServiceExport in one member means and what must be written for it, decided single-threaded inside
/// its grain (plan §2.2): Valid from the observation (<see cref="Evaluate"/>), Ready from whether the service's
/// import grain took the contribution, Conflict from that grain's verdict. Conditions go to the engine only when
/// they changed; an unchanged contribution is not sent again, except every <paramref name="contributionRefresh"/> in
/// case the store lost it.
/// </summary>
public sealed class McsExportDecisions(string clusterKey, string ns, string name, TimeSpan contributionRefresh, IMcsExportWorkSink sink)
{
    public const string ValidMessage = "ServiceExport is valid";
    public const string ExportedMessage = "the service is exported to the clusterset";
    public const string PendingMessage = "waiting for the clusterset to take the export";

    private McsExportJudgement? _judgement;
    private McsExportVerdict? _verdict;
    private McsContribution? _accepted;
    private McsContribution? _contributed;
    private bool _contributedKnown;
    private DateTimeOffset _contributedAt;
    private Sent? _sent;

    /// <summary>The last observation (null: none in this activation).</summary>
    public McsExportObservation? Observation { get; private set; }

    /// <summary>The export is gone: nothing is left for this activation to do once its withdrawal went.</summary>
    public bool Done => Observation is { Export: null } && _contributedKnown && _contributed is null;

    /// <summary>Judges <paramref name="observation"/>; the contribution and the conditions follow.</summary>
    public McsExportJudgement Observe(McsExportObservation observation, DateTimeOffset now)
    {
        Observation = observation;
        if (now - _contributedAt >= contributionRefresh)
        {
            // Anti-entropy: now and then an unchanged contribution goes again, in case the store lost it.
            _contributedKnown = false;
        }

        _judgement = Evaluate(observation);
        if (_judgement.Contribution is null)
        {
            // Nothing is exported any more: Ready and Conflict wait for the next acceptance.
            _accepted = null;
            _verdict = null;
        }

        return _judgement;
    }

    /// <summary>The contribution of the last observation (null: withdraw).</summary>
    public McsContribution? CurrentContribution => _judgement?.Contribution;

    /// <summary>Whether <paramref name="contribution"/> must be sent: it changed, or what the import grain holds is not known.</summary>
    public bool ContributionDue(McsContribution? contribution) => !_contributedKnown || contribution != _contributed;

    /// <summary>The import grain took <paramref name="contribution"/> (null: the withdrawal) and answered with its verdict.</summary>
    public void Contributed(McsContribution? contribution, McsExportVerdict? verdict, DateTimeOffset now)
    {
        _contributed = contribution;
        _contributedKnown = true;
        _contributedAt = now;
        if (contribution is not null && contribution == _judgement?.Contribution && verdict is { Included: true })
        {
            _accepted = contribution;
            _verdict = verdict;
        }
    }

    /// <summary>What the import grain holds of this export is not known any more: the next contribution goes whatever it is.</summary>
    public void ForgetContribution() => _contributedKnown = false;

    /// <summary>A verdict from the service's grain (another export changed the service); true when the conditions changed.</summary>
    public bool SetVerdict(McsExportVerdict verdict)
    {
        if (_accepted is null)
            return false;

        if (!verdict.Included)
        {
            // The import grain no longer holds this export: it must contribute again.
            _accepted = null;
            _verdict = null;
            _contributedKnown = false;
        }
        else
        {
            _verdict = verdict;
        }

        return SendStatus();
    }

    /// <summary>The conditions the export must carry now (null: it does not exist).</summary>
    public McsExportConditions? Conditions => Observation?.Export is null || _judgement is null ? null : ConditionsOf(_judgement);

    /// <summary>The conditions, when the export exists and they are not what was sent last; true when sent.</summary>
    public bool SendStatus()
    {
        if (Observation?.Export is not { } export || Conditions is not { } conditions)
            return false;

        var sent = new Sent(export.Uid, export.Generation, conditions);
        if (sent == _sent)
            return false;

        sink.Submit(new WriteMcsExportConditions(ns, name, export.Uid, export.Generation, conditions, export.HasStatus ? "" : export.ResourceVersion));
        _sent = sent;
        return true;
    }

    /// <summary>The member left: the conditions this system wrote go; what it contributed must be withdrawn.</summary>
    public void Leave()
    {
        sink.Submit(new ClearMcsExportConditions(ns, name));
        _sent = null;
        _accepted = null;
        _verdict = null;
        _judgement = _judgement is null ? null : _judgement with { Contribution = null };
    }

    /// <summary>
    /// Valid from an observation: a missing Service, an ExternalName Service and a derived Service (written by this
    /// system for an import: exporting it would loop) are not valid and contribute nothing. A valid export of a
    /// member without a usable cluster id contributes nothing either (status.clusters and slices need the id).
    /// </summary>
    public McsExportJudgement Evaluate(McsExportObservation o)
    {
        var cluster = ClusterKeys.Name(clusterKey);
        if (o.Export is not { } export)
            return new(Condition(false, "Deleted", "the ServiceExport was deleted"), null);

        if (o.Service is not { } service)
            return new(Condition(false, McsNames.Reasons.NoService, $"Service {ns}/{name} does not exist in cluster {cluster}"), null);

        if (service.Type == "ExternalName")
            return new(Condition(false, McsNames.Reasons.InvalidServiceType, "Service type ExternalName is not supported"), null);

        if (o.DerivedFor is { } import)
        {
            return new(Condition(false, McsNames.Reasons.DerivedService,
                $"Service {name} is written by erie-canal-orleans for ServiceImport {ns}/{import} and cannot be exported"), null);
        }

        var valid = Condition(true, McsNames.Reasons.Valid, ValidMessage);
        if (string.IsNullOrEmpty(o.ClusterId))
        {
            return new(valid, null, Condition(false, McsNames.Reasons.Failed,
                $"cluster {cluster} has no usable cluster id (ClusterProperty {McsNames.ClusterIdProperty}), so it cannot export"));
        }

        var contribution = new McsContribution(
            clusterKey, o.ClusterId, export.CreatedAt, service, export.ExportedLabels ?? McsMap.Empty, export.ExportedAnnotations ?? McsMap.Empty,
            o.Slices.IsDefault ? [] : o.Slices,
            o.Gateway);
        return new(valid, contribution);
    }

    private McsExportConditions ConditionsOf(McsExportJudgement judgement)
    {
        if (!judgement.IsValid)
            return new(judgement.Valid, Condition(false, McsNames.Reasons.Pending, "the ServiceExport is not valid: " + judgement.Valid.Message), null);

        if (judgement.Failure is { } failure)
            return new(judgement.Valid, failure, null);

        if (_accepted is null || _verdict is null)
            return new(judgement.Valid, new McsCondition(McsCondition.Unknown, McsNames.Reasons.Pending, PendingMessage), null);

        var conflict = _verdict.Conflict
            ? Condition(true, _verdict.Reason, _verdict.Message)
            : Condition(false, McsNames.Reasons.NoConflicts, McsExportVerdict.NoConflictsMessage);
        return new(judgement.Valid, Condition(true, McsNames.Reasons.Exported, ExportedMessage), conflict);
    }

    private static McsCondition Condition(bool status, string reason, string message) =>
        new(status ? McsCondition.True : McsCondition.False, reason, message);

    private sealed record Sent(string Uid, long Generation, McsExportConditions Conditions);
}
