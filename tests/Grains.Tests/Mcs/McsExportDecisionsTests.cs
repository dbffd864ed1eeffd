using ErieCanal.Orleans.Grains.Mcs;
using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Mcs.McsFixtures;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>Valid, Ready and Conflict of an MCS ServiceExport, and what it contributes (plan §2.2).</summary>
public sealed class McsExportDecisionsTests
{
    private static readonly McsExportSpec Spec = new("uid-1", T0, 3, "100", false, Map(("dummy-label", "true")), McsMap.Empty);

    private readonly RecordingMcsExportSink _sink = new();
    private readonly McsExportDecisions _decisions;

    public McsExportDecisionsTests() => _decisions = new McsExportDecisions(K1, Ns, Svc, TimeSpan.FromMinutes(5), _sink);

    private static McsExportObservation Observed(McsServiceSnapshot? service = null, string? clusterId = "cluster-1", string? derivedFor = null) =>
        new(Spec, service ?? Hello(), [Slice("10.1.0.1", Tcp42, Udp42)], clusterId, derivedFor);

    [Fact]
    public void A_missing_service_is_not_valid_and_contributes_nothing()
    {
        var judgement = _decisions.Observe(new McsExportObservation(Spec, null, [], "cluster-1"), T0);
        _decisions.SendStatus();

        Assert.Null(judgement.Contribution);
        var conditions = _sink.LastConditions.Conditions;
        Assert.Equal(new McsCondition("False", McsNames.Reasons.NoService, $"Service {Ns}/{Svc} does not exist in cluster cluster-1"), conditions.Valid);
        Assert.Equal(("False", McsNames.Reasons.Pending), (conditions.Ready.Status, conditions.Ready.Reason));
        Assert.Null(conditions.Conflict);
    }

    [Fact]
    public void C14_an_external_name_service_is_an_invalid_service_type()
    {
        var judgement = _decisions.Observe(Observed(Hello() with { Type = "ExternalName", IpFamilies = [] }), T0);

        Assert.Null(judgement.Contribution);
        Assert.Equal(new McsCondition("False", McsNames.Reasons.InvalidServiceType, "Service type ExternalName is not supported"), judgement.Valid);
    }

    [Fact]
    public void A_derived_service_is_never_exported()
    {
        var judgement = _decisions.Observe(Observed(derivedFor: "other"), T0);

        Assert.Null(judgement.Contribution);
        Assert.Equal(("False", McsNames.Reasons.DerivedService), (judgement.Valid.Status, judgement.Valid.Reason));
        Assert.Contains($"ServiceImport {Ns}/other", judgement.Valid.Message);
    }

    [Fact]
    public void A_valid_export_contributes_its_service_slices_and_exported_labels()
    {
        var judgement = _decisions.Observe(Observed(), T0);

        Assert.Equal(new McsCondition("True", McsNames.Reasons.Valid, "ServiceExport is valid"), judgement.Valid);
        var contribution = judgement.Contribution!;
        Assert.Equal((K1, "cluster-1", T0), (contribution.ClusterKey, contribution.ClusterId, contribution.CreatedAt));
        Assert.Equal(Hello(), contribution.Service);
        Assert.Equal(Map(("dummy-label", "true")), contribution.Labels);
        Assert.Single(contribution.Slices);
    }

    [Fact]
    public void Ready_is_pending_until_the_import_takes_the_contribution_then_exported_with_the_verdict()
    {
        var contribution = _decisions.Observe(Observed(), T0).Contribution;
        _decisions.SendStatus();
        Assert.Equal(new McsCondition("Unknown", McsNames.Reasons.Pending, McsExportDecisions.PendingMessage), _sink.LastConditions.Conditions.Ready);
        Assert.Null(_sink.LastConditions.Conditions.Conflict);

        _decisions.Contributed(contribution, McsExportVerdict.NoConflicts, T0);
        _decisions.SendStatus();

        var conditions = _sink.LastConditions.Conditions;
        Assert.Equal(new McsCondition("True", McsNames.Reasons.Exported, McsExportDecisions.ExportedMessage), conditions.Ready);
        Assert.Equal(new McsCondition("False", McsNames.Reasons.NoConflicts, "ServiceExport has no conflicts"), conditions.Conflict);
        Assert.Equal(("uid-1", 3L, "100"), (_sink.LastConditions.Uid, _sink.LastConditions.Generation, _sink.LastConditions.SeedResourceVersion));
    }

    [Fact]
    public void A_verdict_sets_the_conflict_and_unchanged_conditions_are_not_sent_again()
    {
        var contribution = _decisions.Observe(Observed(), T0).Contribution;
        _decisions.Contributed(contribution, McsExportVerdict.NoConflicts, T0);
        _decisions.SendStatus();
        _sink.Clear();

        var conflict = new McsExportVerdict(true, true, McsNames.Reasons.TypeConflict, "Conflicting type.");
        Assert.True(_decisions.SetVerdict(conflict));
        Assert.False(_decisions.SetVerdict(conflict));

        Assert.Equal(new McsCondition("True", McsNames.Reasons.TypeConflict, "Conflicting type."), Assert.Single(_sink.Work.OfType<WriteMcsExportConditions>()).Conditions.Conflict);
    }

    [Fact]
    public void The_conflict_condition_is_removed_while_the_export_is_invalid()
    {
        var contribution = _decisions.Observe(Observed(), T0).Contribution;
        _decisions.Contributed(contribution, new McsExportVerdict(true, true, McsNames.Reasons.PortConflict, "Conflicting ports."), T0);
        _decisions.SendStatus();
        Assert.NotNull(_sink.LastConditions.Conditions.Conflict);

        _decisions.Observe(Observed(Hello() with { Type = "ExternalName" }), T0.AddSeconds(1));
        _decisions.SendStatus();

        Assert.Null(_sink.LastConditions.Conditions.Conflict);
        Assert.Equal(McsCondition.False, _sink.LastConditions.Conditions.Ready.Status);
        Assert.Null(_decisions.CurrentContribution);
        Assert.True(_decisions.ContributionDue(null));
    }

    [Fact]
    public void A_member_without_a_cluster_id_is_valid_but_fails_to_export()
    {
        var judgement = _decisions.Observe(Observed(clusterId: null), T0);
        _decisions.SendStatus();

        Assert.Null(judgement.Contribution);
        Assert.Equal(McsCondition.True, _sink.LastConditions.Conditions.Valid.Status);
        Assert.Equal(("False", McsNames.Reasons.Failed), (_sink.LastConditions.Conditions.Ready.Status, _sink.LastConditions.Conditions.Ready.Reason));
    }

    [Fact]
    public void An_unchanged_contribution_is_sent_once_then_again_after_the_refresh()
    {
        var contribution = _decisions.Observe(Observed(), T0).Contribution;
        Assert.True(_decisions.ContributionDue(contribution));
        _decisions.Contributed(contribution, McsExportVerdict.NoConflicts, T0);

        Assert.False(_decisions.ContributionDue(_decisions.Observe(Observed(), T0.AddMinutes(1)).Contribution));
        Assert.True(_decisions.ContributionDue(_decisions.Observe(Observed(), T0.AddMinutes(6)).Contribution));
    }

    [Fact]
    public void A_verdict_that_leaves_the_export_out_makes_it_contribute_again()
    {
        var contribution = _decisions.Observe(Observed(), T0).Contribution;
        _decisions.Contributed(contribution, McsExportVerdict.NoConflicts, T0);

        _decisions.SetVerdict(McsExportVerdict.NoConflicts with { Included = false });

        Assert.True(_decisions.ContributionDue(contribution));
        Assert.Equal(McsCondition.Unknown, _decisions.Conditions!.Ready.Status);
    }

    [Fact]
    public void A_deleted_export_withdraws_and_writes_no_conditions()
    {
        _decisions.Observe(Observed(), T0);
        _decisions.Observe(new McsExportObservation(null, Hello(), [], "cluster-1"), T0);

        Assert.Null(_decisions.CurrentContribution);
        Assert.Null(_decisions.Conditions);
        Assert.False(_decisions.SendStatus());
        Assert.False(_decisions.Done);

        _decisions.Contributed(null, null, T0);
        Assert.True(_decisions.Done);
    }

    [Fact]
    public void Leaving_clears_the_conditions_and_withdraws()
    {
        var contribution = _decisions.Observe(Observed(), T0).Contribution;
        _decisions.Contributed(contribution, McsExportVerdict.NoConflicts, T0);

        _decisions.Leave();

        Assert.IsType<ClearMcsExportConditions>(_sink.Work.Last());
        Assert.Null(_decisions.CurrentContribution);
    }
}
