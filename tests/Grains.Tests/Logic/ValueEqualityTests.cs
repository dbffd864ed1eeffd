using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

/// <summary>Contract records compare by value, their arrays element by element.</summary>
public sealed class ValueEqualityTests
{
    private static readonly ExportContribution[] Exports =
        [Export(C1, 0, Port("http", 80)), Export(C2, 1, Port("http", 80))];

    [Fact]
    public void Separately_built_equal_imports_are_equal_though_each_merge_builds_its_own_arrays()
    {
        var a = ImportMerger.Merge(Ns, Svc, 1, Exports).Import;
        var b = ImportMerger.Merge(Ns, Svc, 2, Exports).Import;

        Assert.NotEqual(a, b);
        Assert.True(a == b! with { Version = 1 });
        Assert.Equal(a!.GetHashCode(), (b with { Version = 1 }).GetHashCode());
    }

    [Fact]
    public void Null_is_only_the_same_as_null()
    {
        Assert.True((MergedImport?)null == null);
        Assert.False(Import(Exports) == null);
        Assert.False(null == Import(Exports));
    }

    [Fact]
    public void A_change_in_health_is_a_difference()
    {
        var changed = Import(Exports[0], Exports[1] with { Healthy = false });

        Assert.NotEqual(Import(Exports), changed);
    }

    [Fact]
    public void A_change_in_a_port_is_a_difference()
    {
        Assert.NotEqual(Import(Exports), Import(Export(C1, 0, Port("http", 81)), Exports[1]));
        Assert.NotEqual(Import(Exports), Import(Export(C1, 0, Port("http", 80, appProtocol: "h2c")), Exports[1]));
        Assert.NotEqual(Import(Exports), Import(Exports[0]));
    }

    [Fact]
    public void A_change_in_the_service_is_a_difference()
    {
        var headless = Import(Exports[0] with { Type = "Headless" }, Exports[1] with { Type = "Headless" });

        Assert.NotEqual(Import(Exports), headless);
        Assert.NotEqual(Import(Exports), Import(Exports) with { Name = "other" });
    }

    [Fact]
    public void A_change_in_a_gateway_is_a_difference()
    {
        var moved = Import(Exports[0], Exports[1] with { Gateway = Gateway(C2) with { Port = 9000 } });

        Assert.NotEqual(Import(Exports), moved);
    }
}
