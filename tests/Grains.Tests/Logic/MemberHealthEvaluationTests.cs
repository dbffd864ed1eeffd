using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

/// <summary>Member health is applied at evaluation time; the import itself only says whether a service has ready endpoints.</summary>
public sealed class MemberHealthEvaluationTests
{
    private static readonly MergedImport Both = Import(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80)));

    private static string State(Routing routing, string clusterKey) =>
        routing.Ports.Single().Endpoints.Single(e => e.ClusterKey == clusterKey).State;

    [Fact]
    public void An_unhealthy_member_s_endpoints_take_no_traffic_and_a_failover_standby_is_promoted()
    {
        var policy = Policy(LbTypes.FailOver, Target(C2));
        var normal = TrafficPolicyEvaluator.Evaluate(Both, C1, policy, Svc, Known, new HashSet<string>());
        Assert.Equal(EndpointStates.Active, State(normal, C1));
        Assert.Equal(EndpointStates.Standby, State(normal, C2));

        var failed = TrafficPolicyEvaluator.Evaluate(Both, C1, policy, Svc, Known, new HashSet<string> { C1 });
        Assert.Equal(EndpointStates.Unhealthy, State(failed, C1));
        Assert.Equal(EndpointStates.Active, State(failed, C2));
        Assert.Equal(1, failed.ActiveEndpoints);
    }

    [Fact]
    public void Members_not_named_unhealthy_keep_their_service_health()
    {
        var routing = TrafficPolicyEvaluator.Evaluate(Both, C1, Policy(LbTypes.ActiveActive), Svc, Known, new HashSet<string> { C3 });
        Assert.Equal(2, routing.ActiveEndpoints);
    }
}
