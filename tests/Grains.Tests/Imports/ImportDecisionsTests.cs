using System.Diagnostics;
using ErieCanal.Orleans.Grains.Imports;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Writers;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Imports;

/// <summary>The writer grain's decisions, counted as the engine's work items: a health flip is routing only.</summary>
public sealed class ImportDecisionsTests
{
    private const int Services = 50;
    private readonly RecordingSink _sink = new();
    private readonly ImportDecisions _decisions;

    public ImportDecisionsTests()
    {
        _decisions = new ImportDecisions(C3, _sink);
        _decisions.SetMembers([Member(C1, true), Member(C2, true), Member(C3, true)]);
        for (var i = 0; i < Services; i++)
        {
            _decisions.Accept(Key(i), 1, ImportOf(i, 1));
            _decisions.SetPolicy(Key(i), Policy(LbTypes.ActiveActive));
        }

        _sink.Clear();
    }

    [Fact]
    public void A_health_flip_from_the_channel_yields_routing_patches_and_zero_spec_writes()
    {
        Assert.True(_decisions.SetHealth(new MemberHealth(C1, false, 1)));
        Assert.Equal(Services, _sink.Count<PatchRouting>());
        Assert.Equal(_sink.Work.Count, _sink.Count<PatchRouting>());
        Assert.All(_sink.Work.OfType<PatchRouting>(), p => Assert.Equal(EndpointStates.Unhealthy, p.Routing.Ports.Single().Endpoints.Single(e => e.ClusterKey == C1).State));

        // Recovery: routing again, still no spec; a stale or repeated decision changes nothing.
        _sink.Clear();
        Assert.True(_decisions.SetHealth(new MemberHealth(C1, true, 2)));
        Assert.False(_decisions.SetHealth(new MemberHealth(C1, false, 1)));
        Assert.Equal(Services, _sink.Work.Count);
        Assert.Equal(0, _sink.Count<ApplyImport>());
    }

    [Fact]
    public void A_health_flip_from_the_directory_is_routing_only_too()
    {
        _decisions.SetMembers([Member(C1, false), Member(C2, true), Member(C3, true)]);
        Assert.Equal(Services, _sink.Count<PatchRouting>());
        Assert.Equal(0, _sink.Count<ApplyImport>());

        // The channel, fresher, wins over the directory for a member it reported on.
        _sink.Clear();
        _decisions.SetHealth(new MemberHealth(C1, true, 1));
        _decisions.SetMembers([Member(C1, false), Member(C2, true), Member(C3, true)]);
        Assert.DoesNotContain(C1, _decisions.Unhealthy);
    }

    [Fact]
    public void A_recovery_the_channel_lost_is_heard_from_the_directory()
    {
        // Unhealthy from the channel (sequence 1); the recovery (sequence 2) was published while the relay was down,
        // so only the directory, which the member grain writes after publishing, carries it.
        _decisions.SetHealth(new MemberHealth(C1, false, 1));
        Assert.Contains(C1, _decisions.Unhealthy);
        _sink.Clear();
        _decisions.SetMembers([Member(C1, true, healthSequence: 2), Member(C2, true), Member(C3, true)]);
        Assert.DoesNotContain(C1, _decisions.Unhealthy);
        Assert.Equal(Services, _sink.Count<PatchRouting>());

        // An older directory entry does not undo a newer channel decision.
        _decisions.SetHealth(new MemberHealth(C1, false, 3));
        _decisions.SetMembers([Member(C1, true, healthSequence: 2), Member(C2, true), Member(C3, true)]);
        Assert.Contains(C1, _decisions.Unhealthy);
    }

    [Fact]
    public void The_whole_policy_set_restores_what_a_new_activation_lacks_and_drops_what_is_gone()
    {
        // A new activation of the writer: imports from repair, but none of the member's policies (held in memory).
        var fresh = new ImportDecisions(C3, _sink);
        fresh.SetMembers([Member(C1, true), Member(C2, true), Member(C3, true)]);
        fresh.Accept(Key(0), 1, ImportOf(0, 1));
        fresh.Accept(Key(1), 1, ImportOf(1, 1));
        Assert.Equal(LbTypes.Locality, fresh.RoutingOf(Key(0))!.LbType);

        _sink.Clear();
        fresh.SyncPolicies(new Dictionary<string, TrafficPolicySpec> { [Key(0)] = Policy(LbTypes.ActiveActive) });
        Assert.Equal(LbTypes.ActiveActive, fresh.RoutingOf(Key(0))!.LbType);
        Assert.Equal(LbTypes.Locality, fresh.RoutingOf(Key(1))!.LbType);
        Assert.Single(_sink.Work.OfType<PatchRouting>());

        // The same set again (every resync) costs nothing; a set without it drops the policy.
        _sink.Clear();
        fresh.SyncPolicies(new Dictionary<string, TrafficPolicySpec> { [Key(0)] = Policy(LbTypes.ActiveActive) });
        Assert.Empty(_sink.Work);
        fresh.SyncPolicies(new Dictionary<string, TrafficPolicySpec>());
        Assert.Equal(LbTypes.Locality, fresh.RoutingOf(Key(0))!.LbType);
        Assert.Empty(fresh.Policies);
    }

    [Fact]
    public void A_new_version_with_the_same_content_writes_nothing()
    {
        // Today's path: a member's health folded into its endpoints bumps the version; the spec holds no health.
        for (var i = 0; i < Services; i++)
        {
            _decisions.Accept(Key(i), 2, ImportOf(i, 2));
        }

        Assert.Empty(_sink.Work);
    }

    [Fact]
    public void Today_s_path_an_endpoint_marked_unhealthy_in_a_new_version_is_routing_only()
    {
        var unhealthy = ImportOf(0, 2) is var import
            ? import with { Ports = [.. import.Ports.Select(p => p with { Endpoints = [.. p.Endpoints.Select(e => e.ClusterKey == C1 ? e with { Healthy = false } : e)] })] }
            : null;
        _decisions.Accept(Key(0), 2, unhealthy);
        Assert.Equal([typeof(PatchRouting)], _sink.Work.Select(w => w.GetType()).ToArray());
    }

    [Fact]
    public void A_changed_spec_is_applied_and_a_withdrawn_import_deleted()
    {
        _decisions.Accept(Key(0), 2, Import(Export(C1, 0, Port("http", 8080))) with { Name = "svc-0" });
        Assert.Equal(1, _sink.Count<ApplyImport>());
        var apply = _sink.Work.OfType<ApplyImport>().Single();
        Assert.Equal(apply.SpecHash, apply.Document.Metadata.Annotations[Watchers.Crds.ServiceImportResource.SpecHashAnnotation]);

        _decisions.Accept(Key(1), 2, null);
        Assert.Equal(1, _sink.Count<DeleteImport>());
        Assert.Null(_decisions.RoutingOf(Key(1)));
    }

    [Fact]
    public void Stale_versions_are_dropped()
    {
        Assert.False(_decisions.Accept(Key(0), 1, null));
        Assert.Empty(_sink.Work);
    }

    [Fact]
    public void A_health_flip_names_its_reason_and_first_seen_time_and_carries_its_origin()
    {
        var since = DateTimeOffset.UnixEpoch.AddSeconds(100);
        var origin = new WorkOrigin(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));
        _decisions.SetHealth(new MemberHealth(C1, false, 1, ConditionReasons.GatewayUnreachable, since), origin);
        Assert.All(_sink.Work.OfType<PatchRouting>(), p =>
        {
            Assert.Equal(new RoutingCause(ConditionReasons.GatewayUnreachable, since), p.Causes[C1]);
            Assert.Equal(origin, p.Origin);
        });

        // An export change afterwards that takes C2's endpoints out is the service's own health, not the member's.
        _sink.Clear();
        var observed = DateTimeOffset.UnixEpoch.AddSeconds(200);
        var c2Down = ImportOf(0, 2) is var import
            ? import with { Ports = [.. import.Ports.Select(p => p with { Endpoints = [.. p.Endpoints.Select(e => e.ClusterKey == C2 ? e with { Healthy = false } : e)] })] }
            : null;
        _decisions.Accept(Key(0), 2, c2Down, new WorkOrigin(default, observed));
        var patch = Assert.Single(_sink.Work.OfType<PatchRouting>());
        Assert.Equal(RoutingEvents.ServiceUnhealthy, patch.Causes[C2].Reason);
        Assert.False(patch.Causes.ContainsKey(C1));
        Assert.Equal(observed, patch.Origin!.ObservedAt);
    }

    private static string Key(int i) => ServiceKeys.Service(Ns, $"svc-{i}");

    private static MergedImport ImportOf(int i, long version) =>
        Import(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80))) with { Name = $"svc-{i}", Version = version };

    private static ClusterInfo Member(string clusterKey, bool healthy, long healthSequence = 0) =>
        new(clusterKey, ClusterKeys.Name(clusterKey), true, healthy, true, Gateway(clusterKey), healthSequence);
}
