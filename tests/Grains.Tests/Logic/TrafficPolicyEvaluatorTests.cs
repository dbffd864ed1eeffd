using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

public sealed class TrafficPolicyEvaluatorTests
{
    private const string Active = EndpointStates.Active;
    private const string Standby = EndpointStates.Standby;
    private const string Unhealthy = EndpointStates.Unhealthy;

    private static readonly MergedImport AllHealthy = Import(
        Export(C1, 0, Port("http", 80, path: "/c1")),
        Export(C2, 1, Port("http", 80)),
        Export(C3, 2, Port("http", 80)),
        Export(C4, 3, Port("http", 80)));

    private static Routing Evaluate(MergedImport import, TrafficPolicySpec? policy, string local = C1) =>
        TrafficPolicyEvaluator.Evaluate(import, local, policy, policy is null ? null : Svc, Known);

    private static (string, int, string)[] Shape(Routing routing, int port = 0) =>
        [.. routing.Ports[port].Endpoints.Select(e => (e.ClusterKey, e.Weight, e.State))];

    private static MergedImport WithUnhealthy(params string[] clusters) => Import(
    [
        .. new[] { C1, C2, C3, C4 }.Select((c, i) =>
            Export(c, i, Port("http", 80, path: c == C1 ? "/c1" : "/")) with { Healthy = !clusters.Contains(c) }),
    ]);

    [Fact]
    public void Without_a_policy_only_local_endpoints_serve()
    {
        var routing = Evaluate(AllHealthy, null);

        Assert.Equal(LbTypes.Locality, routing.LbType);
        Assert.Null(routing.Policy);
        Assert.Equal([(C1, 100, Active)], Shape(routing));
        Assert.Equal(1, routing.ActiveEndpoints);
        Assert.Empty(routing.Problems);
    }

    [Fact]
    public void A_route_endpoint_copies_the_import_endpoint()
    {
        var endpoint = Assert.Single(Evaluate(AllHealthy, null).Ports[0].Endpoints);

        Assert.Equal(new RouteEndpoint(C1, "cluster-1.gw.example", "10.0.0.1", 8091, "/c1", 100, Active), endpoint);
    }

    [Fact]
    public void Without_a_local_instance_locality_finds_nothing()
    {
        var import = Import(Export(C2, 0, Port("http", 80)), Export(C3, 1, Port("http", 80)));

        var routing = Evaluate(import, Policy(LbTypes.Locality));

        var port = Assert.Single(routing.Ports);
        Assert.Equal(("http", 80), (port.Name, port.Port));
        Assert.Empty(port.Endpoints);
        Assert.Equal(0, routing.ActiveEndpoints);
    }

    [Fact]
    public void An_unhealthy_local_endpoint_takes_no_traffic_under_locality()
    {
        var routing = Evaluate(WithUnhealthy(C1), null);

        Assert.Equal([(C1, 0, Unhealthy)], Shape(routing));
        Assert.Equal(0, routing.ActiveEndpoints);
    }

    [Fact]
    public void Locality_naming_one_target_uses_that_cluster_instead()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.Locality, Target(C3, 7)));

        Assert.Equal([(C3, 100, Active)], Shape(routing));
        Assert.Equal($"{Ns}/{Svc}", routing.Policy);
    }

    [Fact]
    public void ActiveActive_without_targets_uses_every_cluster_at_100()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive));

        Assert.Equal([(C1, 100, Active), (C2, 100, Active), (C3, 100, Active), (C4, 100, Active)], Shape(routing));
        Assert.Equal(4, routing.ActiveEndpoints);
    }

    [Fact]
    public void ActiveActive_weighs_listed_targets_and_a_missing_or_zero_weight_means_100()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target(C2, 30), Target(C3, 0)));

        Assert.Equal([(C1, 100, Active), (C2, 30, Active), (C3, 100, Active)], Shape(routing));

        var missing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target(C4)));
        Assert.Equal([(C1, 100, Active), (C4, 100, Active)], Shape(missing));
    }

    [Fact]
    public void ActiveActive_local_endpoints_weigh_100_even_when_listed()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target(C1, 5), Target(C2, 5)));

        Assert.Equal([(C1, 100, Active), (C2, 5, Active)], Shape(routing));
    }

    [Fact]
    public void ActiveActive_marks_unhealthy_endpoints_with_no_weight()
    {
        var routing = Evaluate(WithUnhealthy(C1, C3), Policy(LbTypes.ActiveActive, Target(C2, 50), Target(C3, 50)));

        Assert.Equal([(C1, 0, Unhealthy), (C2, 50, Active), (C3, 0, Unhealthy)], Shape(routing));
        Assert.Equal(1, routing.ActiveEndpoints);
    }

    [Fact]
    public void FailOver_keeps_targets_on_standby_while_the_local_cluster_is_healthy()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.FailOver, Target(C2, 30), Target(C3)));

        Assert.Equal(LbTypes.FailOver, routing.LbType);
        Assert.Equal([(C1, 100, Active), (C2, 0, Standby), (C3, 0, Standby)], Shape(routing));
        Assert.Equal(1, routing.ActiveEndpoints);
    }

    [Fact]
    public void FailOver_promotes_healthy_standbys_when_no_local_endpoint_is_healthy()
    {
        var routing = Evaluate(WithUnhealthy(C1, C4), Policy(LbTypes.FailOver, Target(C2, 30), Target(C3, 0), Target(C4)));

        Assert.Equal([(C1, 0, Unhealthy), (C2, 30, Active), (C3, 100, Active), (C4, 0, Unhealthy)], Shape(routing));
        Assert.Equal(2, routing.ActiveEndpoints);
    }

    [Fact]
    public void FailOver_returns_standbys_to_standby_when_the_local_cluster_recovers()
    {
        var policy = Policy(LbTypes.FailOver, Target(C2));

        var failed = Evaluate(WithUnhealthy(C1), policy);
        var recovered = Evaluate(WithUnhealthy(), policy);

        Assert.Equal([(C1, 0, Unhealthy), (C2, 100, Active)], Shape(failed));
        Assert.Equal([(C1, 100, Active), (C2, 0, Standby)], Shape(recovered));
    }

    [Fact]
    public void FailOver_promotes_standbys_where_there_is_no_local_instance()
    {
        var import = Import(Export(C2, 0, Port("http", 80)), Export(C3, 1, Port("http", 80)));

        var routing = Evaluate(import, Policy(LbTypes.FailOver, Target(C3)));

        Assert.Equal([(C3, 100, Active)], Shape(routing));
    }

    [Fact]
    public void FailOver_decides_per_port()
    {
        var import = Import(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 80), Port("grpc", 9090)));

        var routing = Evaluate(import, Policy(LbTypes.FailOver, Target(C2)));

        Assert.Equal([(C1, 100, Active), (C2, 0, Standby)], Shape(routing, 0));
        Assert.Equal([(C2, 100, Active)], Shape(routing, 1));
        Assert.Equal(2, routing.ActiveEndpoints);
    }

    [Fact]
    public void Active_endpoints_are_counted_over_all_ports()
    {
        var import = Import(
            Export(C1, 0, Port("http", 80), Port("grpc", 9090)),
            Export(C2, 1, Port("http", 80), Port("grpc", 9090)));

        Assert.Equal(4, Evaluate(import, Policy(LbTypes.ActiveActive)).ActiveEndpoints);
        Assert.Equal(2, Evaluate(import, null).ActiveEndpoints);
    }

    [Fact]
    public void An_invalid_policy_is_reported_and_evaluated_as_locality()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target(C2, -1)));

        Assert.Equal(LbTypes.Locality, routing.LbType);
        Assert.Equal($"{Ns}/{Svc}", routing.Policy);
        Assert.Equal([(C1, 100, Active)], Shape(routing));
        var problem = Assert.Single(routing.Problems);
        Assert.Contains(ConditionReasons.InvalidPolicy, problem, StringComparison.Ordinal);
        Assert.Contains("negative weight -1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_locality_with_two_targets_falls_back_to_local_only()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.Locality, Target(C2), Target(C3)));

        Assert.Equal([(C1, 100, Active)], Shape(routing));
        Assert.Single(routing.Problems);
    }

    [Fact]
    public void Unknown_targets_are_skipped_and_reported()
    {
        const string nowhere = "default/default/default/nowhere";

        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target(C2, 20), Target(nowhere, 50)));

        Assert.Equal([(C1, 100, Active), (C2, 20, Active)], Shape(routing));
        var problem = Assert.Single(routing.Problems);
        Assert.Contains(ConditionReasons.UnknownClusterKey, problem, StringComparison.Ordinal);
        Assert.Contains(nowhere, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ActiveActive_whose_targets_are_all_unknown_stays_local_rather_than_going_everywhere()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target("x/y/z/nowhere")));

        Assert.Equal([(C1, 100, Active)], Shape(routing));
        Assert.Single(routing.Problems);
    }

    [Fact]
    public void FailOver_skips_unknown_targets_and_promotes_the_known_ones()
    {
        var routing = Evaluate(WithUnhealthy(C1), Policy(LbTypes.FailOver, Target("x/y/z/nowhere"), Target(C4, 10)));

        Assert.Equal([(C1, 0, Unhealthy), (C4, 10, Active)], Shape(routing));
        Assert.Single(routing.Problems);
    }

    [Fact]
    public void A_policy_name_defaults_to_the_service_name()
    {
        var routing = TrafficPolicyEvaluator.Evaluate(AllHealthy, C1, Policy(LbTypes.Locality), null, Known);

        Assert.Equal($"{Ns}/{Svc}", routing.Policy);
    }

    [Fact]
    public void A_duplicate_target_counts_once_with_its_first_weight()
    {
        var routing = Evaluate(AllHealthy, Policy(LbTypes.ActiveActive, Target(C2, 10), Target(C2, 90)));

        Assert.Equal([(C1, 100, Active), (C2, 10, Active)], Shape(routing));
    }
}
