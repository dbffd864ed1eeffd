using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

public sealed class ImportMergerTests
{
    [Fact]
    public void No_contributions_give_no_import()
    {
        var result = Merge();

        Assert.Null(result.Import);
        Assert.Empty(result.Verdicts);
        Assert.Empty(result.Agreeing);
    }

    [Fact]
    public void A_single_export_becomes_the_import()
    {
        var export = Export(C1, 0, Port("http", 80, path: "/httpbin", appProtocol: "http")) with
        {
            SessionAffinity = "ClientIP",
            SessionAffinityTimeoutSeconds = 300,
            ServiceAccountName = "*",
        };

        var result = ImportMerger.Merge(Ns, Svc, 7, [export]);

        var import = Assert.IsType<MergedImport>(result.Import);
        Assert.Equal((Ns, Svc, 7L, "ClusterSetIP", "ClientIP", (int?)300, (string?)"*"),
            (import.Namespace, import.Name, import.Version, import.Type, import.SessionAffinity,
                import.SessionAffinityTimeoutSeconds, import.ServiceAccountName));
        var port = Assert.Single(import.Ports);
        Assert.Equal(("http", "TCP", 80, "http"), (port.Name, port.Protocol, port.Port, port.AppProtocol));
        var endpoint = Assert.Single(port.Endpoints);
        Assert.Equal(new ImportEndpoint(C1, "cluster-1.gw.example", "10.0.0.1", 8091, "/httpbin", true), endpoint);
        Assert.Equal(ConflictVerdict.None, result.Verdicts[C1]);
        Assert.Equal([export], result.Agreeing);
    }

    [Fact]
    public void Two_agreeing_exports_merge_their_endpoints_per_cluster()
    {
        var older = Export(C2, 0, Port("http", 80, path: "/a"));
        var newer = Export(C1, 5, Port("http", 80, path: "/b"));

        var result = Merge(newer, older);

        var port = Assert.Single(result.Import!.Ports);
        Assert.Equal([(C1, "/b"), (C2, "/a")], port.Endpoints.Select(e => (e.ClusterKey, e.Path)));
        Assert.All(result.Verdicts.Values, v => Assert.Equal(ConflictVerdict.None, v));
        Assert.Equal([older, newer], result.Agreeing);
    }

    [Fact]
    public void An_endpoint_carries_its_exports_health()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80)) with { Healthy = false });

        Assert.Equal([(C1, true), (C2, false)], result.Import!.Ports[0].Endpoints.Select(e => (e.ClusterKey, e.Healthy)));
    }

    [Fact]
    public void Ports_merge_by_name_and_an_unnamed_port_takes_the_name_by_number()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80), Port(null, 9090)),
            Export(C2, 1, Port(null, 80), Port("grpc", 9090, appProtocol: "grpc")),
            Export(C3, 2, Port("http", 80), Port("metrics", 9100)));

        Assert.Equal(
            [("http", 80, (string?)null, 3), ("grpc", 9090, "grpc", 2), ("metrics", 9100, null, 1)],
            result.Import!.Ports.Select(p => (p.Name, p.Port, p.AppProtocol, p.Endpoints.Length)));
        Assert.All(result.Verdicts.Values, v => Assert.False(v.Conflict));
    }

    [Fact]
    public void The_same_number_under_another_protocol_is_another_port()
    {
        var result = Merge(Export(C1, 0, Port("dns", 53, "UDP")), Export(C2, 1, Port("dns-tcp", 53, "TCP")));

        Assert.Equal([("dns", "UDP"), ("dns-tcp", "TCP")], result.Import!.Ports.Select(p => (p.Name!, p.Protocol)));
        Assert.All(result.Verdicts.Values, v => Assert.False(v.Conflict));
    }

    [Fact]
    public void An_empty_protocol_means_tcp()
    {
        var result = Merge(Export(C1, 0, Port("http", 80, "")), Export(C2, 1, Port("http", 80, "TCP")));

        var port = Assert.Single(result.Import!.Ports);
        Assert.Equal("TCP", port.Protocol);
        Assert.Equal(2, port.Endpoints.Length);
    }

    [Fact]
    public void A_cluster_with_two_rules_on_one_port_has_one_endpoint_there()
    {
        var result = Merge(Export(C1, 0, Port("http", 80, path: "/one"), Port("http", 80, path: "/two")));

        var endpoint = Assert.Single(Assert.Single(result.Import!.Ports).Endpoints);
        Assert.Equal("/one", endpoint.Path);
    }

    [Fact]
    public void A_port_under_the_same_name_with_another_number_conflicts_and_the_oldest_wins()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 8080)));

        Assert.Equal([C1], Assert.Single(result.Import!.Ports).Endpoints.Select(e => e.ClusterKey));
        Assert.Equal([C1], result.Agreeing.Select(c => c.ClusterKey));

        var winner = result.Verdicts[C1];
        Assert.True(winner.Conflict);
        Assert.Equal(ConditionReasons.PortConflict, winner.Reason);
        Assert.Contains(C2, winner.Message, StringComparison.Ordinal);
        Assert.Contains("TCP/8080", winner.Message, StringComparison.Ordinal);

        var loser = result.Verdicts[C2];
        Assert.True(loser.Conflict);
        Assert.Equal(ConditionReasons.PortConflict, loser.Reason);
        Assert.Contains(C1, loser.Message, StringComparison.Ordinal);
        Assert.Contains("port 'http' is TCP/8080 here but TCP/80", loser.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_number_under_another_name_conflicts()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("web", 80)));

        Assert.Equal(ConditionReasons.PortConflict, result.Verdicts[C1].Reason);
        Assert.Equal(ConditionReasons.PortConflict, result.Verdicts[C2].Reason);
        Assert.Contains("'web'", result.Verdicts[C2].Message, StringComparison.Ordinal);
        Assert.Contains("'http'", result.Verdicts[C2].Message, StringComparison.Ordinal);
        Assert.Single(result.Agreeing);
    }

    [Fact]
    public void The_oldest_export_wins_whatever_its_cluster_name()
    {
        var result = Merge(Export(C1, 10, Port("http", 8080)), Export(C3, 0, Port("http", 80)));

        Assert.Equal([C3], result.Agreeing.Select(c => c.ClusterKey));
        Assert.Equal(80, Assert.Single(result.Import!.Ports).Port);
        Assert.Contains(C3, result.Verdicts[C1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exports_created_at_the_same_instant_are_ordered_by_cluster_key()
    {
        var result = Merge(Export(C2, 0, Port("http", 8080)), Export(C1, 0, Port("http", 80)));

        Assert.Equal([C1], result.Agreeing.Select(c => c.ClusterKey));
        Assert.True(result.Verdicts[C2].Conflict);
    }

    [Fact]
    public void A_conflict_clears_once_the_newer_export_is_fixed()
    {
        var before = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 8080)));
        Assert.All(before.Verdicts.Values, v => Assert.True(v.Conflict));

        var after = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80)));

        Assert.Equal(ConflictVerdict.None, after.Verdicts[C1]);
        Assert.Equal(ConflictVerdict.None, after.Verdicts[C2]);
        Assert.Equal(2, Assert.Single(after.Import!.Ports).Endpoints.Length);
    }

    [Fact]
    public void A_conflict_clears_once_the_newer_export_is_withdrawn()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)));

        Assert.Equal(ConflictVerdict.None, result.Verdicts[C1]);
    }

    [Fact]
    public void A_different_type_conflicts()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80)) with { Type = "Headless" });

        Assert.Equal((true, ConditionReasons.TypeConflict), (result.Verdicts[C1].Conflict, result.Verdicts[C1].Reason));
        Assert.Equal((true, ConditionReasons.TypeConflict), (result.Verdicts[C2].Conflict, result.Verdicts[C2].Reason));
        Assert.Contains("type is Headless here but ClusterSetIP", result.Verdicts[C2].Message, StringComparison.Ordinal);
        Assert.Equal("ClusterSetIP", result.Import!.Type);
        Assert.Equal([C1], result.Import.Ports[0].Endpoints.Select(e => e.ClusterKey));
    }

    [Fact]
    public void A_different_session_affinity_conflicts()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80)) with { SessionAffinity = "ClientIP" });

        Assert.Equal(ConditionReasons.SessionAffinityConflict, result.Verdicts[C1].Reason);
        Assert.Equal(ConditionReasons.SessionAffinityConflict, result.Verdicts[C2].Reason);
        Assert.True(result.Verdicts[C1].Conflict && result.Verdicts[C2].Conflict);
        Assert.Equal("None", result.Import!.SessionAffinity);
    }

    [Fact]
    public void Several_disagreements_report_the_type_first_and_list_them_all()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 8080)) with { Type = "Headless", SessionAffinity = "ClientIP" });

        var loser = result.Verdicts[C2];
        Assert.Equal(ConditionReasons.TypeConflict, loser.Reason);
        Assert.Contains("type", loser.Message, StringComparison.Ordinal);
        Assert.Contains("sessionAffinity", loser.Message, StringComparison.Ordinal);
        Assert.Contains("port 'http'", loser.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_export_that_agrees_is_not_marked_when_another_conflicts()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 8080)),
            Export(C3, 2, Port("http", 80)));

        Assert.True(result.Verdicts[C1].Conflict);
        Assert.True(result.Verdicts[C2].Conflict);
        Assert.Equal(ConflictVerdict.None, result.Verdicts[C3]);
        Assert.Equal([C1, C3], result.Import!.Ports[0].Endpoints.Select(e => e.ClusterKey));
        Assert.Equal([C1, C3], result.Agreeing.Select(c => c.ClusterKey));
    }

    [Fact]
    public void The_winner_names_every_cluster_that_disagrees()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 8080)),
            Export(C3, 2, Port("http", 80)) with { Type = "Headless" });

        var winner = result.Verdicts[C1];
        Assert.Equal(ConditionReasons.TypeConflict, winner.Reason);
        Assert.Contains(C2, winner.Message, StringComparison.Ordinal);
        Assert.Contains(C3, winner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_first_offered_by_a_newer_agreeing_export_is_defended_by_that_export()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 80), Port("grpc", 9090)),
            Export(C3, 2, Port("grpc", 9091)));

        Assert.Equal(ConflictVerdict.None, result.Verdicts[C1]);
        Assert.Equal(ConditionReasons.PortConflict, result.Verdicts[C2].Reason);
        Assert.Contains(C3, result.Verdicts[C2].Message, StringComparison.Ordinal);
        Assert.Contains(C2, result.Verdicts[C3].Message, StringComparison.Ordinal);
        Assert.Equal([C1, C2], result.Agreeing.Select(c => c.ClusterKey));
    }

    [Fact]
    public void Timeout_and_service_account_come_from_the_oldest_export()
    {
        var result = Merge(
            Export(C2, 1, Port("http", 80)) with { SessionAffinityTimeoutSeconds = 60, ServiceAccountName = "b" },
            Export(C1, 0, Port("http", 80)) with { SessionAffinityTimeoutSeconds = 30, ServiceAccountName = "a" });

        Assert.Equal(((int?)30, (string?)"a"), (result.Import!.SessionAffinityTimeoutSeconds, result.Import.ServiceAccountName));
    }

    [Fact]
    public void Ports_are_ordered_by_number_then_name()
    {
        var result = Merge(Export(C1, 0, Port("b", 9000), Port("z", 80), Port("a", 9000, "UDP")));

        Assert.Equal([("z", 80), ("a", 9000), ("b", 9000)], result.Import!.Ports.Select(p => (p.Name!, p.Port)));
    }

    [Fact]
    public void The_input_order_does_not_change_the_result()
    {
        ExportContribution[] exports =
        [
            Export(C3, 2, Port("http", 80), Port("grpc", 9090)),
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 8080)),
        ];

        var forward = Merge(exports);
        var backward = Merge([.. exports.Reverse()]);

        Assert.Equal(forward.Import, backward.Import);
        Assert.Equal(forward.Verdicts, backward.Verdicts);
        Assert.Equal(forward.Agreeing, backward.Agreeing);
    }

    [Fact]
    public void A_cluster_contributing_twice_is_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => Merge(Export(C1, 0, Port("http", 80)), Export(C1, 1, Port("http", 80))));
    }
}
