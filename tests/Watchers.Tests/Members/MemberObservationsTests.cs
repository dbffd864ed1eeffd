using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Sessions;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Members;

/// <summary>Which informer changes re-observe an export: only those that can change its observation.</summary>
public sealed class MemberObservationsTests
{
    [Fact]
    public void A_status_only_change_of_an_export_is_not_re_observed_but_a_spec_change_is()
    {
        var observations = new MemberObservations("erie-canal-orleans");

        var first = observations.SetExport(Export(generation: 1, withStatus: false), present: true);
        var echo = observations.SetExport(Export(generation: 1, withStatus: true), present: true);
        var edited = observations.SetExport(Export(generation: 2, withStatus: true), present: true);
        var deleted = observations.SetExport(Export(generation: 2, withStatus: true), present: false);

        Assert.Equal("shop/web", first);
        Assert.Null(echo);
        Assert.Equal("shop/web", edited);
        Assert.Equal("shop/web", deleted);
        Assert.False(observations.HasExport("shop/web"));
    }

    [Fact]
    public void The_observed_export_carries_its_version_and_whether_it_has_a_status()
    {
        var observations = new MemberObservations("erie-canal-orleans");
        observations.SetExport(Export(generation: 1, withStatus: false), present: true);

        var spec = observations.Observe("shop/web", null).Export;

        Assert.NotNull(spec);
        Assert.Equal("7", spec.ResourceVersion);
        Assert.False(spec.HasStatus);
    }

    [Fact]
    public void A_slice_whose_ready_count_did_not_change_is_not_re_observed()
    {
        var observations = new MemberObservations("erie-canal-orleans");

        var first = observations.SetSlice(Slice(ready: 1), present: true);
        var same = observations.SetSlice(Slice(ready: 1), present: true);
        var more = observations.SetSlice(Slice(ready: 2), present: true);

        Assert.Equal("shop/web", first);
        Assert.Null(same);
        Assert.Equal("shop/web", more);
        Assert.Equal(2, observations.Observe("shop/web", null).ReadyEndpoints);
    }

    private static ServiceExportResource Export(long generation, bool withStatus) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", Uid = "u-1", Generation = generation, ResourceVersion = withStatus ? "8" : "7" },
        Spec = new ServiceExportSpec { ServiceAccountName = "*" },
        Status = withStatus ? new ConditionsStatus { ObservedGeneration = generation } : null,
    };

    private static V1EndpointSlice Slice(int ready) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "shop", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
        AddressType = "IPv4",
        Endpoints = [.. Enumerable.Range(0, ready).Select(i => new V1Endpoint { Addresses = [$"10.0.0.{i + 1}"], Conditions = new V1EndpointConditions { Ready = true } })],
    };
}
