using ErieCanal.Orleans.Grains.Logic;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

public sealed class ImportViewTests
{
    [Fact]
    public void Without_target_clusters_every_member_sees_every_endpoint()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80)));

        foreach (var member in new[] { C1, C2, C3 })
        {
            var view = ImportMerger.ViewFor(result, member);
            Assert.Equal(result.Import, view);
        }
    }

    [Fact]
    public void Target_clusters_by_bare_name_narrow_who_sees_an_export()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 80)) with { TargetClusters = ["cluster-3"] });

        Assert.Equal([C1], ImportMerger.ViewFor(result, C1)!.Ports[0].Endpoints.Select(e => e.ClusterKey));
        Assert.Equal([C1], ImportMerger.ViewFor(result, C2)!.Ports[0].Endpoints.Select(e => e.ClusterKey));
        Assert.Equal([C1, C2], ImportMerger.ViewFor(result, C3)!.Ports[0].Endpoints.Select(e => e.ClusterKey));
    }

    [Fact]
    public void Target_clusters_by_full_key_narrow_who_sees_an_export()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)) with { TargetClusters = [C2, C3] });

        Assert.Null(ImportMerger.ViewFor(result, C1));
        Assert.NotNull(ImportMerger.ViewFor(result, C2));
        Assert.NotNull(ImportMerger.ViewFor(result, C3));
        Assert.Null(ImportMerger.ViewFor(result, C4));
    }

    [Fact]
    public void A_full_key_must_match_exactly()
    {
        var result = Merge(Export(C1, 0, Port("http", 80)) with { TargetClusters = ["eu/z1/default/cluster-2"] });

        Assert.Null(ImportMerger.ViewFor(result, C2));
        Assert.NotNull(ImportMerger.ViewFor(result, "eu/z1/default/cluster-2"));
    }

    [Fact]
    public void A_member_no_export_targets_holds_no_import()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)) with { TargetClusters = ["cluster-2"] },
            Export(C3, 1, Port("http", 80)) with { TargetClusters = ["cluster-2"] });

        Assert.Null(ImportMerger.ViewFor(result, C4));
        Assert.Equal(2, ImportMerger.ViewFor(result, C2)!.Ports[0].Endpoints.Length);
    }

    [Fact]
    public void A_port_offered_only_by_exports_that_skip_the_member_is_not_shown_to_it()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)),
            Export(C2, 1, Port("http", 80), Port("grpc", 9090)) with { TargetClusters = ["cluster-2"] });

        var view = ImportMerger.ViewFor(result, C1)!;

        Assert.Equal(["http"], view.Ports.Select(p => p.Name));
        Assert.Equal(["http", "grpc"], ImportMerger.ViewFor(result, C2)!.Ports.Select(p => p.Name));
    }

    [Fact]
    public void A_conflicting_export_shows_nowhere_even_where_it_targets()
    {
        var result = Merge(
            Export(C1, 0, Port("http", 80)) with { TargetClusters = ["cluster-2"] },
            Export(C3, 1, Port("http", 8080)) with { TargetClusters = ["cluster-4"] });

        Assert.Null(ImportMerger.ViewFor(result, C4));
    }

    [Fact]
    public void No_import_gives_no_view()
    {
        Assert.Null(ImportMerger.ViewFor(Merge(), C1));
    }
}
