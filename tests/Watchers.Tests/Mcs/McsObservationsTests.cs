using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>The mapping from a member's MCS ServiceExport, Service and EndpointSlices to the observation its grain receives.</summary>
public sealed class McsObservationsTests
{
    private readonly Dictionary<string, V1Service> _services = new(StringComparer.Ordinal);
    private readonly McsObservations _observations;

    public McsObservationsTests() => _observations = new McsObservations(key => _services.GetValueOrDefault(key));

    [Fact]
    public void The_Service_snapshot_carries_everything_the_KEP_merges()
    {
        var service = Service("shop", "web");
        service.Spec.ClusterIP = "None";
        service.Spec.SessionAffinity = "ClientIP";
        service.Spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = 300 } };
        service.Spec.InternalTrafficPolicy = "Cluster";
        service.Spec.TrafficDistribution = "PreferClose";
        service.Spec.IpFamilies = ["IPv6", "IPv4"];
        service.Spec.Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP", AppProtocol = "http" }, new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP" }];

        var snapshot = McsObservations.ToSnapshot(service);

        Assert.Equal(new McsServiceSnapshot("ClusterIP", true, "ClientIP", 300, "Cluster", "PreferClose", ["IPv6", "IPv4"],
            [new McsPort("http", "TCP", 80, "http"), new McsPort("dns", "UDP", 53, null)]), snapshot);
    }

    [Fact]
    public void An_observation_has_the_export_its_Service_its_slices_and_the_cluster_id()
    {
        _services["shop/web"] = Service("shop", "web");
        Assert.Null(_observations.SetSlice(Slice("shop", "web-abc", "web", "10.0.0.1", ready: true), present: true));
        Assert.Equal("mcs:shop/web", _observations.SetExport(Export("shop", "web", labels: new() { ["tier"] = "front" }), present: true));
        Assert.Equal("mcs:shop/web", _observations.SetSlice(Slice("shop", "web-def", "web", "10.0.0.2", ready: false), present: true));

        var observation = _observations.Observe("shop/web", "cluster-1");

        Assert.Equal("uid-web", observation.Export!.Uid);
        Assert.Equal(7, observation.Export.Generation);
        Assert.Equal(McsMap.From(new Dictionary<string, string> { ["tier"] = "front" }), observation.Export.ExportedLabels);
        Assert.False(observation.Export.HasStatus);
        Assert.Equal("cluster-1", observation.ClusterId);
        Assert.Null(observation.DerivedFor);
        Assert.Equal(2, observation.Slices.Length);
        var endpoint = observation.Slices[1].Endpoints.Single();
        Assert.Equal((false, false, false, "zone-a", "node-1", "web-0"), (endpoint.Ready, endpoint.Serving, endpoint.Terminating, endpoint.Zone, endpoint.NodeName, endpoint.Hostname));
        Assert.Equal([new McsSlicePort("http", "TCP", 8080, null)], observation.Slices[0].Ports.AsEnumerable());
    }

    [Fact]
    public void A_status_echo_changes_nothing_but_a_new_generation_does()
    {
        var export = Export("shop", "web");
        Assert.NotNull(_observations.SetExport(export, present: true));
        Assert.Null(_observations.SetExport(Export("shop", "web"), present: true));

        var withStatus = Export("shop", "web");
        withStatus.Status = new ConditionsStatus { Conditions = [new Condition { Type = "Valid", Status = "True" }] };
        Assert.NotNull(_observations.SetExport(withStatus, present: true));
        Assert.Null(_observations.SetExport(withStatus, present: true));

        var edited = Export("shop", "web");
        edited.Metadata.Generation = 8;
        edited.Status = withStatus.Status;
        Assert.NotNull(_observations.SetExport(edited, present: true));
        Assert.Equal("mcs:shop/web", _observations.SetExport(edited, present: false));
        Assert.Null(_observations.Observe("shop/web", "cluster-1").Export);
    }

    [Fact]
    public void A_derived_Service_is_told_by_our_label_or_by_a_ServiceImport_owner()
    {
        var labelled = Service("shop", "derived-abc");
        labelled.Metadata.Labels = new Dictionary<string, string> { [McsNames.DerivedForLabel] = "web" };
        Assert.Equal("web", McsObservations.DerivedFor(labelled));

        var owned = Service("shop", "derived-def");
        owned.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = McsNames.ApiVersion, Kind = McsNames.ServiceImportKind, Name = "api", Uid = "u" }];
        Assert.Equal("api", McsObservations.DerivedFor(owned));

        var flomesh = Service("shop", "other");
        flomesh.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "flomesh.io/v1alpha1", Kind = McsNames.ServiceImportKind, Name = "api", Uid = "u" }];
        Assert.Null(McsObservations.DerivedFor(flomesh));

        _services["shop/derived-abc"] = labelled;
        _observations.SetExport(Export("shop", "derived-abc"), present: true);
        Assert.Equal("web", _observations.Observe("shop/derived-abc", null).DerivedFor);
    }

    [Fact]
    public void Services_and_slices_mark_only_services_with_an_MCS_export()
    {
        Assert.Null(_observations.ServiceChanged(Service("shop", "web")));
        _observations.SetExport(Export("shop", "web"), present: true);
        Assert.Equal("mcs:shop/web", _observations.ServiceChanged(Service("shop", "web")));
        Assert.Equal("shop/web", McsObservations.ServiceKeyOf("mcs:shop/web"));
        Assert.Null(McsObservations.ServiceKeyOf("shop/web"));

        // An unchanged slice is no news; its removal is.
        var slice = Slice("shop", "web-1", "web", "10.0.0.1", ready: true);
        Assert.NotNull(_observations.SetSlice(slice, present: true));
        Assert.Null(_observations.SetSlice(Slice("shop", "web-1", "web", "10.0.0.1", ready: true), present: true));
        Assert.NotNull(_observations.SetSlice(slice, present: false));
        Assert.Null(_observations.SetSlice(slice, present: false));
    }

    private static V1Service Service(string ns, string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Type = "ClusterIP", Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }] },
    };

    private static McsServiceExportResource Export(string ns, string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = $"uid-{name}", Generation = 7, ResourceVersion = "42", CreationTimestamp = DateTime.UnixEpoch.AddDays(1) },
        Spec = new McsServiceExportSpec { ExportedLabels = labels },
    };

    private static V1EndpointSlice Slice(string ns, string name, string service, string address, bool ready) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [McsNames.KubernetesServiceNameLabel] = service } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
        Endpoints = [new V1Endpoint { Addresses = [address], Hostname = "web-0", Zone = "zone-a", NodeName = "node-1", Conditions = new V1EndpointConditions { Ready = ready } }],
    };
}
