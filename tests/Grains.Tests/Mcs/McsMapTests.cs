using ErieCanal.Orleans.Grains.Mcs;
using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>Exported labels and annotations compare, hash and serialize the same whatever order they were built in.</summary>
public sealed class McsMapTests
{
    [Fact]
    public void Maps_built_in_any_order_are_equal_and_hash_alike()
    {
        var a = McsMap.From(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        var b = McsMap.From([KeyValuePair.Create("a", "1"), KeyValuePair.Create("b", "2")]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(McsContentHash.Of(a), McsContentHash.Of(b));
        Assert.Equal(["a", "b"], a.Entries.Select(e => e.Key).ToArray());
    }

    [Fact]
    public void A_repeated_key_keeps_its_last_value_and_null_is_empty()
    {
        var map = McsMap.From([KeyValuePair.Create("a", "1"), KeyValuePair.Create("a", "2")]);

        Assert.Equal("2", map.ToDictionary()["a"]);
        Assert.Equal(McsMap.Empty, McsMap.From(null));
        Assert.Equal(0, McsMap.Empty.Count);
    }

    [Fact]
    public void A_different_value_is_a_different_map()
    {
        Assert.NotEqual(McsMap.From([KeyValuePair.Create("a", "1")]), McsMap.From([KeyValuePair.Create("a", "2")]));
    }
}
