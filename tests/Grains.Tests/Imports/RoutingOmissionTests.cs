using ErieCanal.Orleans.Grains.Imports;
using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Writers;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Imports;

/// <summary>
/// status.routing is written only where it says something the spec does not: a policy applies, or an endpoint is
/// marked. Otherwise the routing is the spec's default (<see cref="TrafficPolicyEvaluator.Default"/>) and is omitted.
/// </summary>
public sealed class RoutingOmissionTests
{
    private static readonly string Key = ServiceKeys.Service(Ns, Svc);
    private readonly RecordingSink _sink = new();
    private readonly ImportDecisions _decisions;

    public RoutingOmissionTests()
    {
        // cluster-3 consumes a service that it exports itself and cluster-1 exports too.
        _decisions = new ImportDecisions(C3, _sink);
        _decisions.SetMembers([Member(C1), Member(C2), Member(C3)]);
    }

    [Fact]
    public void With_no_policy_and_nothing_marked_the_routing_is_the_specs_default_and_omitted()
    {
        _decisions.Accept(Key, 1, Healthy());
        var patch = Assert.Single(_sink.Work.OfType<PatchRouting>());
        Assert.True(patch.Omitted);
        Assert.Null(patch.Stored);
        Assert.Equal(TrafficPolicyEvaluator.Default(Healthy(), C3), patch.Routing);

        // Locality: cluster-3's own endpoint, Active.
        Assert.Equal(C3, Assert.Single(patch.Routing.Ports.Single().Endpoints).ClusterKey);
    }

    [Fact]
    public void A_policy_makes_it_written_and_its_removal_omits_it_again()
    {
        _decisions.Accept(Key, 1, Healthy());
        _sink.Clear();
        _decisions.SetPolicy(Key, Policy(LbTypes.ActiveActive));
        var written = Assert.Single(_sink.Work.OfType<PatchRouting>());
        Assert.False(written.Omitted);
        Assert.Equal(written.Routing, written.Stored);

        _sink.Clear();
        _decisions.SetPolicy(Key, null);
        Assert.True(Assert.Single(_sink.Work.OfType<PatchRouting>()).Omitted);
    }

    [Fact]
    public void A_policy_whose_routing_equals_the_default_is_still_written()
    {
        // It names its policy (and a Locality policy may say more next time): the member shows what applies.
        _decisions.Accept(Key, 1, Healthy());
        _sink.Clear();
        _decisions.SetPolicy(Key, Policy(LbTypes.Locality));
        Assert.False(Assert.Single(_sink.Work.OfType<PatchRouting>()).Omitted);
    }

    [Fact]
    public void An_unhealthy_own_endpoint_makes_it_written_and_its_recovery_omits_it_again()
    {
        _decisions.Accept(Key, 1, Healthy());
        _sink.Clear();
        _decisions.SetHealth(new MemberHealth(C3, false, 1));
        var marked = Assert.Single(_sink.Work.OfType<PatchRouting>());
        Assert.False(marked.Omitted);
        Assert.Equal(EndpointStates.Unhealthy, marked.Routing.Ports.Single().Endpoints.Single().State);

        _sink.Clear();
        _decisions.SetHealth(new MemberHealth(C3, true, 2));
        Assert.True(Assert.Single(_sink.Work.OfType<PatchRouting>()).Omitted);

        // The service's own health (the exporter's pods) marks it too.
        _sink.Clear();
        _decisions.Accept(Key, 2, Healthy() with { Version = 2, Ports = [.. Healthy().Ports.Select(p => p with { Endpoints = [.. p.Endpoints.Select(e => e.ClusterKey == C3 ? e with { Healthy = false } : e)] })] });
        Assert.False(Assert.Single(_sink.Work.OfType<PatchRouting>()).Omitted);
    }

    [Fact]
    public void Another_members_health_changes_nothing_a_policy_less_import_says()
    {
        // Locality routes to this member's own endpoints only: cluster-1's health is not in its routing.
        _decisions.Accept(Key, 1, Healthy());
        _sink.Clear();
        _decisions.SetHealth(new MemberHealth(C1, false, 1));
        Assert.Empty(_sink.Work);
    }

    private static MergedImport Healthy() => Import(Export(C1, 0, Port("http", 80)), Export(C3, 1, Port("http", 80)));

    private static ClusterInfo Member(string clusterKey) => new(clusterKey, ClusterKeys.Name(clusterKey), true, true, true, Gateway(clusterKey));
}
