using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Mcs.McsFixtures;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>KEP-1645's merge and conflict rules (plan §2.2), one test per semantic the conformance suite checks.</summary>
public sealed class McsImportMergerTests
{
    [Fact]
    public void No_export_no_import()
    {
        var result = Merge();

        Assert.Null(result.Import);
        Assert.False(result.Verdict.Conflict);
    }

    [Fact]
    public void One_export_is_the_import_and_has_no_conflicts()
    {
        var result = Merge(Export(1, 0) with { Labels = Map(("dummy-label", "true")), Annotations = Map(("dummy-annotation", "true")) });

        var import = result.Import!;
        Assert.Equal(McsNames.ImportTypes.ClusterSetIp, import.Type);
        Assert.Equal(["tcp 42/TCP", "udp 42/UDP"], PortsOf(import).ToArray());
        Assert.Equal("ClientIP", import.SessionAffinity);
        Assert.Equal(10, import.ClientIpTimeoutSeconds);
        Assert.Equal("Cluster", import.InternalTrafficPolicy);
        Assert.Null(import.TrafficDistribution);
        Assert.Equal(["IPv4"], import.IpFamilies.ToArray());
        Assert.Equal(Map(("dummy-label", "true")), import.Labels);
        Assert.Equal(Map(("dummy-annotation", "true")), import.Annotations);
        Assert.Equal(["cluster-1"], import.Clusters.ToArray());
        Assert.Equal(new McsExportVerdict(true, false, McsNames.Reasons.NoConflicts, "ServiceExport has no conflicts"), result.Verdict);
    }

    [Fact]
    public void A_headless_service_imports_as_headless()
    {
        var import = Import(Export(1, 0, Hello() with { Headless = true }));

        Assert.Equal(McsNames.ImportTypes.Headless, import.Type);
    }

    [Fact]
    public void C10_the_union_of_ports_with_a_conflict_on_both_exports()
    {
        var stcp = new McsPort("stcp", "SCTP", 142, null);
        var result = Merge(Export(1, 0), Export(2, 2, Hello(Tcp42, stcp)));

        Assert.Equal(["stcp 142/SCTP", "tcp 42/TCP", "udp 42/UDP"], PortsOf(result.Import!).ToArray());
        Assert.Equal(["cluster-2"], result.Import!.Ports.Single(p => p.Name == "stcp").ExposedBy.ToArray());
        Assert.Equal(["cluster-1", "cluster-2"], result.Import.Ports.Single(p => p.Name == "tcp").ExposedBy.ToArray());
        Assert.Equal(["cluster-1"], result.Import.Ports.Single(p => p.Name == "udp").ExposedBy.ToArray());
        Assert.True(result.Verdict.Conflict);
        Assert.Equal(McsNames.Reasons.PortConflict, result.Verdict.Reason);
        Assert.StartsWith("Conflicting ports. 2/2 clusters disagree.", result.Verdict.Message);
    }

    [Fact]
    public void C11_a_name_taken_by_another_port_keeps_the_older_port_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello(new McsPort("tcp", "TCP", 43, null))));

        Assert.Equal(["tcp 42/TCP", "udp 42/UDP"], PortsOf(result.Import!).ToArray());
        Assert.Equal(["cluster-1"], result.Import!.Ports.Single(p => p.Name == "tcp").ExposedBy.ToArray());
        Assert.True(result.Verdict.Conflict);
        Assert.Equal(McsNames.Reasons.PortConflict, result.Verdict.Reason);
        Assert.StartsWith("Conflicting ports. 1/2 clusters disagree.", result.Verdict.Message);
    }

    [Fact]
    public void The_same_port_under_another_name_keeps_the_older_name_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello(new McsPort("web", "TCP", 42, null), Udp42)));

        Assert.Equal(["tcp 42/TCP", "udp 42/UDP"], PortsOf(result.Import!).ToArray());
        Assert.Equal(["cluster-1", "cluster-2"], result.Import!.Ports.Single(p => p.Name == "tcp").ExposedBy.ToArray());
        Assert.Equal(McsNames.Reasons.PortConflict, result.Verdict.Reason);
    }

    [Fact]
    public void Another_app_protocol_keeps_the_older_one_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello(Tcp42 with { AppProtocol = "http" }, Udp42)));

        Assert.Null(result.Import!.Ports.Single(p => p.Name == "tcp").AppProtocol);
        Assert.Equal(McsNames.Reasons.PortConflict, result.Verdict.Reason);
    }

    [Fact]
    public void An_unset_protocol_is_tcp()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello(Tcp42 with { Protocol = "" }, Udp42)));

        Assert.False(result.Verdict.Conflict);
        Assert.Equal(["tcp 42/TCP", "udp 42/UDP"], PortsOf(result.Import!).ToArray());
    }

    [Fact]
    public void C15_conflicting_headlessness_keeps_the_oldest_type_and_every_cluster()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello() with { Headless = true }));

        Assert.Equal(McsNames.ImportTypes.ClusterSetIp, result.Import!.Type);
        Assert.Equal(["cluster-1", "cluster-2"], result.Import.Clusters.ToArray());
        Assert.Equal(["cluster-1", "cluster-2"], result.Import.Sources.Select(s => s.ClusterId).ToArray());
        Assert.Equal(new McsExportVerdict(true, true, McsNames.Reasons.TypeConflict,
            "Conflicting type. 1/2 clusters disagree. Using \"ClusterSetIP\" from oldest service export in cluster \"cluster-1\"."), result.Verdict);
    }

    [Fact]
    public void Session_affinity_comes_from_the_oldest_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello() with { SessionAffinity = "None", ClientIpTimeoutSeconds = null }));

        Assert.Equal("ClientIP", result.Import!.SessionAffinity);
        Assert.Equal(10, result.Import.ClientIpTimeoutSeconds);
        Assert.Equal(McsNames.Reasons.SessionAffinityConflict, result.Verdict.Reason);
        Assert.Contains("Conflicting sessionAffinityConfig. 1/2 clusters disagree.", result.Verdict.Message);
    }

    [Fact]
    public void Session_affinity_config_comes_from_the_oldest_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello() with { ClientIpTimeoutSeconds = 10800 }));

        Assert.Equal(10, result.Import!.ClientIpTimeoutSeconds);
        Assert.Equal(McsNames.Reasons.SessionAffinityConfigConflict, result.Verdict.Reason);
        Assert.Contains("Using \"clientIP.timeoutSeconds: 10\"", result.Verdict.Message);
    }

    [Fact]
    public void An_unset_internal_traffic_policy_agrees_with_cluster()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello() with { InternalTrafficPolicy = null }));

        Assert.False(result.Verdict.Conflict);
        Assert.Equal("Cluster", result.Import!.InternalTrafficPolicy);
    }

    [Fact]
    public void Internal_traffic_policy_comes_from_the_oldest_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello() with { InternalTrafficPolicy = "Local" }));

        Assert.Equal("Cluster", result.Import!.InternalTrafficPolicy);
        Assert.Equal(McsNames.Reasons.InternalTrafficPolicyConflict, result.Verdict.Reason);
    }

    [Fact]
    public void Traffic_distribution_comes_from_the_oldest_and_conflicts()
    {
        var result = Merge(Export(1, 0, Hello() with { TrafficDistribution = "PreferClose" }), Export(2, 2));

        Assert.Equal("PreferClose", result.Import!.TrafficDistribution);
        Assert.Equal(McsNames.Reasons.TrafficDistributionConflict, result.Verdict.Reason);
    }

    [Fact]
    public void C03_labels_and_annotations_come_from_the_oldest_and_conflict()
    {
        var first = Export(1, 0) with { Labels = Map(("dummy-label", "true")), Annotations = Map(("dummy-annotation", "true")) };
        var second = Export(2, 2) with { Labels = Map(("dummy-label2", "true")), Annotations = Map(("dummy-annotation2", "true")) };

        var result = Merge(first, second);

        Assert.Equal(Map(("dummy-label", "true")), result.Import!.Labels);
        Assert.Equal(Map(("dummy-annotation", "true")), result.Import.Annotations);
        Assert.True(result.Verdict.Conflict);
        Assert.Equal(McsNames.Reasons.AnnotationsConflict, result.Verdict.Reason);
        Assert.Contains("Conflicting exported labels. 1/2 clusters disagree.", result.Verdict.Message);
    }

    [Fact]
    public void Ip_families_are_the_intersection_in_the_oldest_order()
    {
        var dual = Hello() with { IpFamilies = ["IPv6", "IPv4"] };
        var result = Merge(Export(1, 0, dual), Export(2, 2, Hello() with { IpFamilies = ["IPv4", "IPv6"] }), Export(3, 3));

        Assert.Equal(["IPv4"], result.Import!.IpFamilies.ToArray());
        Assert.False(result.Verdict.Conflict);
        Assert.Equal(["IPv6", "IPv4"], Import(Export(1, 0, dual), Export(2, 2, dual)).IpFamilies.ToArray());
    }

    [Fact]
    public void An_export_sharing_no_ip_family_is_passed_over_and_conflicts()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello() with { IpFamilies = ["IPv6"] }));

        Assert.Equal(["IPv4"], result.Import!.IpFamilies.ToArray());
        Assert.Equal(McsNames.Reasons.IpFamilyConflict, result.Verdict.Reason);
        Assert.Equal(["cluster-1", "cluster-2"], result.Import.Clusters.ToArray());
    }

    [Fact]
    public void The_reason_is_the_first_in_order_and_the_message_lists_every_disagreement()
    {
        var result = Merge(Export(1, 0), Export(2, 2, Hello(new McsPort("tcp", "TCP", 43, null)) with { Headless = true, TrafficDistribution = "PreferClose" }));

        Assert.Equal(McsNames.Reasons.PortConflict, result.Verdict.Reason);
        var message = result.Verdict.Message;
        Assert.True(message.IndexOf("Conflicting ports.", StringComparison.Ordinal) < message.IndexOf("Conflicting type.", StringComparison.Ordinal));
        Assert.True(message.IndexOf("Conflicting type.", StringComparison.Ordinal) < message.IndexOf("Conflicting trafficDistribution.", StringComparison.Ordinal));
    }

    [Fact]
    public void Equal_creation_times_are_ordered_by_cluster_id_whatever_the_input_order()
    {
        var headless = Export(1, 0, Hello() with { Headless = true });
        var clusterIp = Export(2, 0);

        Assert.Equal(McsNames.ImportTypes.Headless, Import(clusterIp, headless).Type);
        Assert.Equal(McsNames.ImportTypes.Headless, Import(headless, clusterIp).Type);
        Assert.Equal(["cluster-1", "cluster-2"], Import(clusterIp, headless).Clusters.ToArray());
    }

    [Fact]
    public void The_oldest_export_wins_though_its_cluster_id_sorts_later()
    {
        var import = Import(Export(1, 5, Hello() with { Headless = true }), Export(2, 0));

        Assert.Equal(McsNames.ImportTypes.ClusterSetIp, import.Type);
        Assert.Equal(["cluster-2", "cluster-1"], import.Clusters.ToArray());
    }

    [Fact]
    public void The_conflict_clears_when_the_disagreeing_export_goes()
    {
        var first = Export(1, 0);
        var second = Export(2, 2, Hello(new McsPort("tcp", "TCP", 43, null)));
        Assert.True(Merge(first, second).Verdict.Conflict);

        var result = Merge(first);

        Assert.Equal(McsExportVerdict.NoConflicts, result.Verdict);
        Assert.Equal(["cluster-1"], result.Import!.Clusters.ToArray());
    }

    [Fact]
    public void When_the_oldest_goes_the_next_oldest_decides()
    {
        var import = Import(Export(2, 2, Hello() with { Headless = true, SessionAffinity = "None", ClientIpTimeoutSeconds = null }));

        Assert.Equal(McsNames.ImportTypes.Headless, import.Type);
        Assert.Equal("None", import.SessionAffinity);
    }

    [Fact]
    public void K04_a_source_slice_keeps_only_the_import_ports_its_cluster_exposes()
    {
        var moved = new McsPort("tcp", "TCP", 4242, null);
        var import = Import(Export(1, 0, Hello(Tcp42)), Export(2, 2, Hello(moved)) with { Slices = [Slice("10.2.0.1", moved with { Port = 42 })] });

        Assert.Equal(["tcp 42/TCP"], PortsOf(import).ToArray());
        Assert.Equal(["cluster-1"], import.Ports.Single().ExposedBy.ToArray());
        Assert.Empty(import.Sources.Single(s => s.ClusterId == "cluster-2").Slices.Single().Ports);
        Assert.Equal([new McsSlicePort("tcp", "TCP", 42, null)], import.Sources.Single(s => s.ClusterId == "cluster-1").Slices.Single().Ports.ToArray());
    }

    [Fact]
    public void K05_each_port_is_exposed_by_the_cluster_that_has_it()
    {
        var other = new McsPort("tcp2", "TCP", 4242, null);
        var import = Import(Export(1, 0, Hello(Tcp42)), Export(2, 2, Hello(other)) with { Slices = [Slice("10.2.0.1", other with { Port = 42 })] });

        Assert.Equal(["tcp 42/TCP", "tcp2 4242/TCP"], PortsOf(import).ToArray());
        Assert.Equal(["cluster-2"], import.Ports.Single(p => p.Name == "tcp2").ExposedBy.ToArray());
        Assert.Equal([new McsSlicePort("tcp2", "TCP", 42, null)], import.Sources.Single(s => s.ClusterId == "cluster-2").Slices.Single().Ports.ToArray());
    }

    [Fact]
    public void A_slice_port_takes_the_import_name_of_its_port()
    {
        var web = new McsPort("web", "TCP", 42, null);
        var import = Import(Export(1, 0, Hello(Tcp42)), Export(2, 2, Hello(web)));

        Assert.Equal([new McsSlicePort("tcp", "TCP", 42, null)], import.Sources.Single(s => s.ClusterId == "cluster-2").Slices.Single().Ports.ToArray());
    }

    [Fact]
    public void A_cluster_contributing_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Merge(Export(1, 0), Export(1, 3)));
    }

    [Fact]
    public void Separate_merges_of_equal_exports_are_equal_values()
    {
        var a = Import(Export(1, 0), Export(2, 2, Hello() with { Headless = true }));
        var b = Import(Export(2, 2, Hello() with { Headless = true }), Export(1, 0));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a with { Version = 2 });
    }
}
