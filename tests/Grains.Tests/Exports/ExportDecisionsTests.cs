using ErieCanal.Orleans.Grains.Exports;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Exports;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Exports;

/// <summary>An export's decisions, counted as its engine's work: a repeated observation costs nothing.</summary>
public sealed class ExportDecisionsTests
{
    private const string IngressClass = "erie-canal-orleans";
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);
    private readonly RecordingExportSink _sink = new();
    private bool _pathHealthy = true;
    private readonly ExportDecisions _decisions;

    public ExportDecisionsTests() =>
        _decisions = new ExportDecisions(C1, Ns, Svc, new ExportSettings(IngressClass, true, Refresh), () => _pathHealthy, _sink);

    [Fact]
    public void A_valid_export_gets_its_Ingress_and_Valid_conditions_and_contributes_its_ports_at_their_paths()
    {
        var verdict = Observe(Valid());

        Assert.True(verdict.Valid);
        Assert.Equal(ConditionReasons.Exported, verdict.Reason);
        Assert.Equal("/api", Assert.Single(verdict.Contribution!.Ports).Path);
        var apply = Assert.Single(_sink.Of<ApplyExportIngress>());
        Assert.Equal(new ExportIngress(IngressClass, [new IngressPath("/api", "Prefix", Svc, 80)], null, null, "uid-1"), apply.Ingress);
        var conditions = Assert.Single(_sink.Of<WriteExportConditions>());
        Assert.True(conditions.Status.Valid);
        Assert.False(conditions.Status.Conflict.Conflict);
        Assert.Equal(3, conditions.Generation);
    }

    [Fact]
    public void A_repeated_observation_with_the_Ingress_in_place_yields_no_work()
    {
        var ingress = Observe(Valid()).Ingress;
        _sink.Clear();

        // Built anew, as the member's session sends it: equal by value, not by reference.
        Observe(Valid() with { Ingress = ingress! with { Paths = [.. ingress.Paths] } });

        Assert.Empty(_sink.Work);
    }

    [Fact]
    public void An_Ingress_edited_or_deleted_in_the_member_is_applied_again()
    {
        var ingress = Observe(Valid()).Ingress!;
        _sink.Clear();

        Observe(Valid() with { Ingress = ingress with { Paths = [new IngressPath("/edited", "Prefix", Svc, 80)] } });
        Observe(Valid() with { Ingress = null });

        Assert.Equal(2, _sink.Of<ApplyExportIngress>().Count());
        Assert.All(_sink.Of<ApplyExportIngress>(), a => Assert.Equal(ingress, a.Ingress));
    }

    [Fact]
    public void A_missing_Service_is_Valid_False_contributes_nothing_and_loses_its_Ingress()
    {
        var ingress = Observe(Valid()).Ingress;
        _sink.Clear();

        var verdict = Observe(Valid() with { Service = null, Ingress = ingress });

        Assert.False(verdict.Valid);
        Assert.Equal(ConditionReasons.NoService, verdict.Reason);
        Assert.Null(verdict.Contribution);
        Assert.Single(_sink.Of<DeleteExportIngress>());
        Assert.False(Assert.Single(_sink.Of<WriteExportConditions>()).Status.Valid);
    }

    [Theory]
    [InlineData("ExternalName", ConditionReasons.InvalidServiceType)]
    [InlineData("NoGateway", ConditionReasons.ClusterNotReady)]
    [InlineData("NoPort", ConditionReasons.NoMatchingPorts)]
    [InlineData("PathClaimed", ConditionReasons.PathConflict)]
    public void An_export_that_cannot_be_routed_says_why_and_gets_no_Ingress(string problem, string reason)
    {
        var observation = Valid();
        observation = problem switch
        {
            "ExternalName" => observation with { Service = observation.Service! with { Type = "ExternalName" } },
            "NoGateway" => observation with { Gateway = null },
            "NoPort" => observation with { Export = observation.Export! with { Rules = [new ExportRule(9999, "/api", null)] } },
            _ => observation with { PathConflict = new PathClaim("other", "theirs", "/api") },
        };

        var verdict = Observe(observation);

        Assert.Equal((false, reason), (verdict.Valid, verdict.Reason));
        Assert.Null(verdict.Contribution);
        Assert.Empty(_sink.Of<ApplyExportIngress>());
    }

    [Fact]
    public void A_rule_less_export_is_imported_at_the_root_without_an_Ingress()
    {
        var verdict = Observe(Valid() with { Export = Valid().Export! with { Rules = [] } });

        Assert.True(verdict.Valid);
        Assert.Null(verdict.Ingress);
        Assert.Equal("/", Assert.Single(verdict.Contribution!.Ports).Path);
        Assert.Empty(_sink.Of<ApplyExportIngress>());
    }

    [Fact]
    public void A_deleted_export_removes_its_Ingress_writes_no_conditions_and_is_done_once_the_Ingress_is_gone()
    {
        var ingress = Observe(Valid()).Ingress;
        _sink.Clear();

        Observe(new ExportObservation(null, null, 0, null, ingress));
        Assert.Single(_sink.Of<DeleteExportIngress>());
        Assert.Empty(_sink.Of<WriteExportConditions>());
        Assert.False(_decisions.Done);
        Assert.False(_decisions.Status.Exists);

        Observe(new ExportObservation(null, null, 0, null));
        Assert.True(_decisions.Done);
    }

    [Fact]
    public void A_conflict_verdict_is_written_once_per_change()
    {
        Observe(Valid());
        _sink.Clear();
        var conflict = new ConflictVerdict(true, ConditionReasons.PortConflict, "port 'http' disagrees");

        Assert.True(_decisions.SetConflict(conflict));
        Assert.False(_decisions.SetConflict(conflict with { }));

        var written = Assert.Single(_sink.Of<WriteExportConditions>());
        Assert.Equal(conflict, written.Status.Conflict);
        Assert.True(written.Status.Valid);
    }

    [Fact]
    public void A_contribution_goes_first_always_then_only_when_changed_or_due_for_refresh()
    {
        var contribution = Observe(Valid()).Contribution;
        Assert.True(_decisions.ContributionDue(contribution));
        _decisions.Contributed(contribution, ConflictVerdict.None, T0);

        Assert.False(_decisions.ContributionDue(Observe(Valid(), T0.AddMinutes(1)).Contribution));
        Assert.True(_decisions.ContributionDue(Observe(Valid() with { ReadyEndpoints = 0 }, T0.AddMinutes(1)).Contribution));
        Assert.True(_decisions.ContributionDue(Observe(Valid(), T0 + Refresh).Contribution));

        _decisions.Contributed(contribution, ConflictVerdict.None, T0 + Refresh);
        _decisions.ForgetContribution();
        Assert.True(_decisions.ContributionDue(contribution));
    }

    [Fact]
    public void A_failing_path_makes_the_contribution_unhealthy_and_is_told_as_an_Event()
    {
        Observe(Valid());
        _sink.Clear();

        _pathHealthy = false;
        _decisions.PathHealthChanged(false, ConditionReasons.ServiceErrors, "3 of 3 silos saw 503");

        Assert.False(_decisions.CurrentContribution()!.Healthy);
        var recorded = Assert.Single(_sink.Of<RecordExportEvent>());
        Assert.Equal(("uid-1", true, ConditionReasons.ServiceErrors), (recorded.Uid, recorded.Warning, recorded.Reason));
        Assert.Contains("cluster-1", recorded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_export_seen_without_status_is_written_without_a_read_and_a_leaving_member_clears_it()
    {
        Observe(Valid() with { Export = Valid().Export! with { HasStatus = false, ResourceVersion = "42" } });
        Assert.Equal("42", Assert.Single(_sink.Of<WriteExportConditions>()).SeedResourceVersion);

        _decisions.Leave();
        Assert.IsType<ClearExportConditions>(_sink.Work[^1]);
    }

    private ExportVerdict Observe(ExportObservation observation, DateTimeOffset? now = null)
    {
        var verdict = _decisions.Observe(observation, now ?? T0);
        _decisions.SendStatus();
        return verdict;
    }

    private static ExportObservation Valid() => new(
        new ExportSpec("uid-1", T0, 3, null, [new ExportRule(80, "/api", null)], [], "RoundRobinLoadBalancer", false),
        new ServiceSnapshot("ClusterIP", false, "None", null, [new ServicePortInfo("http", "TCP", 80, null)]),
        2,
        Gateway(C1));
}
