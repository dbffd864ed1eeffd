using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

public sealed class SameImportTests
{
    private static readonly ExportContribution[] Exports =
        [Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80))];

    [Fact]
    public void Separately_built_equal_imports_are_the_same_though_records_say_otherwise()
    {
        var a = ImportMerger.Merge(Ns, Svc, 1, Exports).Import;
        var b = ImportMerger.Merge(Ns, Svc, 2, Exports).Import;

        // Each merge builds its own arrays, and records compare ImmutableArray members by reference.
        Assert.NotEqual(a, b! with { Version = 1 });
        Assert.True(ImportMerger.SameImport(a, b));
    }

    [Fact]
    public void Null_is_only_the_same_as_null()
    {
        Assert.True(ImportMerger.SameImport(null, null));
        Assert.False(ImportMerger.SameImport(Import(Exports), null));
        Assert.False(ImportMerger.SameImport(null, Import(Exports)));
    }

    [Fact]
    public void A_change_in_health_is_a_difference()
    {
        var changed = Import(Exports[0], Exports[1] with { Healthy = false });

        Assert.False(ImportMerger.SameImport(Import(Exports), changed));
    }

    [Fact]
    public void A_change_in_a_port_is_a_difference()
    {
        Assert.False(ImportMerger.SameImport(Import(Exports), Import(Export(C1, 0, Port("http", 81)), Exports[1])));
        Assert.False(ImportMerger.SameImport(Import(Exports), Import(Export(C1, 0, Port("http", 80, appProtocol: "h2c")), Exports[1])));
        Assert.False(ImportMerger.SameImport(Import(Exports), Import(Exports[0])));
    }

    [Fact]
    public void A_change_in_the_service_is_a_difference()
    {
        var headless = Import(Exports[0] with { Type = "Headless" }, Exports[1] with { Type = "Headless" });

        Assert.False(ImportMerger.SameImport(Import(Exports), headless));
        Assert.False(ImportMerger.SameImport(Import(Exports), Import(Exports) with { Name = "other" }));
    }

    [Fact]
    public void A_change_in_a_gateway_is_a_difference()
    {
        var moved = Import(Exports[0], Exports[1] with { Gateway = Gateway(C2) with { Port = 9000 } });

        Assert.False(ImportMerger.SameImport(Import(Exports), moved));
    }
}
