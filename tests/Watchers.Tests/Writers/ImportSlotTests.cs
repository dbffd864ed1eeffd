using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Writers;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>Per-object merging of decisions, and the store that holds them: no engine, no member.</summary>
public sealed class ImportSlotTests
{
    [Fact]
    public void The_newest_spec_and_the_newest_routing_are_kept_together()
    {
        var slot = ImportSlot.Empty.Merge(Apply("h1")).Merge(Routing(1)).Merge(Apply("h2"));

        Assert.Equal("h2", slot.Apply?.SpecHash);
        Assert.Equal(1, slot.Routing?.Routing.ActiveEndpoints);
        Assert.False(slot.Delete);
    }

    [Fact]
    public void A_newer_routing_keeps_the_causes_of_one_not_written_yet()
    {
        var since = DateTimeOffset.UnixEpoch;
        var slot = ImportSlot.Empty
            .Merge(Routing(1, ("m2", "GatewayUnreachable")))
            .Merge(Routing(0, ("m3", "ProbesFailed")));

        Assert.Equal(0, slot.Routing?.Routing.ActiveEndpoints);
        Assert.Equal(["m2", "m3"], slot.Routing!.Causes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new RoutingCause("GatewayUnreachable", since), slot.Routing.Causes["m2"]);
    }

    [Fact]
    public void A_delete_drops_spec_and_routing_and_a_later_spec_undoes_it()
    {
        var deleted = ImportSlot.Empty.Merge(Apply("h1")).Merge(Routing(1)).Merge(new DeleteImport("ns", "web"));
        Assert.Equal(new ImportSlot { Delete = true }, deleted);

        // A routing alone does not bring a deleted import back; a spec does.
        Assert.True(deleted.Merge(Routing(2)).Delete);
        var back = deleted.Merge(Apply("h3"));
        Assert.False(back.Delete);
        Assert.Equal("h3", back.Apply?.SpecHash);
    }

    [Fact]
    public void Policy_conditions_are_held_under_their_own_key_beside_the_import_of_the_same_name()
    {
        var held = new HeldDecisions();
        var import = held.Hold(Apply("h1"));
        var policy = held.Hold(new PatchPolicyConditions("ns", "web", 1, new(true, "Valid", ""), new(true, "ResolvedRefs", "")));

        Assert.Equal(new WorkKey(WorkTarget.ServiceImport, "ns", "web"), import);
        Assert.Equal(new WorkKey(WorkTarget.TrafficPolicy, "ns", "web"), policy);
        Assert.Equal(1, held.Policy(policy!.Value)?.Generation);
        Assert.Equal("h1", held.Wanted(import!.Value)?.SpecHash);
    }

    [Fact]
    public void A_landed_delete_is_forgotten_unless_a_newer_decision_came_meanwhile()
    {
        var held = new HeldDecisions();
        var key = held.Hold(new DeleteImport("ns", "web"))!.Value;
        var written = held.Import(key)!;
        held.Hold(Apply("h2"));
        held.Deleted(key, written);
        Assert.Equal("h2", held.Wanted(key)?.SpecHash);

        held.Hold(new DeleteImport("ns", "web"));
        held.Deleted(key, held.Import(key)!);
        Assert.Null(held.Import(key));
    }

    [Fact]
    public void Retired_decisions_are_dropped_and_no_more_are_taken()
    {
        var held = new HeldDecisions();
        var key = held.Hold(Apply("h1"))!.Value;
        held.Retire();

        Assert.Null(held.Import(key));
        Assert.Null(held.Hold(Apply("h2")));
        Assert.Empty(held.Imports);
    }

    private static ApplyImport Apply(string hash) =>
        new("ns", "web", new ServiceImportResource { Metadata = new V1ObjectMeta { NamespaceProperty = "ns", Name = "web" } }, hash);

    private static PatchRouting Routing(int active, params (string Member, string Reason)[] causes) =>
        new("ns", "web", new Routing(LbTypes.Locality, null, ImmutableArray<RoutePort>.Empty, active, ImmutableArray<string>.Empty))
        {
            Causes = causes.ToImmutableDictionary(c => c.Member, c => new RoutingCause(c.Reason, DateTimeOffset.UnixEpoch)),
        };
}
