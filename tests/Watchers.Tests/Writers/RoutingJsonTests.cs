using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Writers;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>A member's status.routing compares with the routing decided as a value, whatever a merge patch dropped.</summary>
public sealed class RoutingJsonTests
{
    private static readonly Routing Decided = new(LbTypes.Locality, null,
        [new RoutePort(null, "TCP", 80, [new RouteEndpoint("r/z/g/m1", "gw.m1", "10.0.0.1", 8091, "/", 100, EndpointStates.Active)])], 1, []);

    [Fact]
    public void A_routing_without_a_policy_as_the_member_stores_it_reads_back_equal_to_the_decided_one()
    {
        // The merge patch sent policy and the port's name as null, so the member holds neither field.
        var stored = RoutingJson.AsStored(Decided);
        Assert.False(stored.AsObject().ContainsKey("policy"));

        Assert.Equal(Decided, RoutingJson.FromStored(JsonNode.Parse(stored.ToJsonString())));
    }

    [Fact]
    public void A_routing_that_differs_in_any_endpoint_reads_back_unequal()
    {
        var standby = Decided with { Ports = [Decided.Ports[0] with { Endpoints = [Decided.Ports[0].Endpoints[0] with { State = EndpointStates.Standby }] }] };

        Assert.NotEqual(Decided, RoutingJson.FromStored(RoutingJson.AsStored(standby)));
    }

    [Fact]
    public void No_routing_or_an_unreadable_one_is_none()
    {
        Assert.Null(RoutingJson.FromStored(null));
        Assert.Null(RoutingJson.FromStored(JsonNode.Parse("""{"ports": "not a list"}""")));
    }
}
