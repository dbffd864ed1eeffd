using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Directory;

/// <summary>The service index's shard of a key: where its entry is stored, so it must never move.</summary>
public sealed class ServiceIndexShardTests
{
    // Values computed independently (FNV-1a 32-bit over the code units, mod 32).
    [Theory]
    [InlineData("httpbin/httpbin", 16)]
    [InlineData("mcs:httpbin/httpbin", 27)]
    [InlineData("", 5)]
    public void A_key_keeps_its_shard(string key, int shard) => Assert.Equal(shard, ServiceKeys.IndexShard(key));

    [Fact]
    public void Keys_spread_over_every_shard_and_stay_in_range()
    {
        var counts = new int[IServiceIndexGrain.Shards];
        for (var i = 0; i < 3_200; i++)
        {
            counts[ServiceKeys.IndexShard($"ns-{i % 10}/svc-{i}")]++;
        }

        // 100 expected per shard: none empty, none holding more than twice its share.
        Assert.All(counts, c => Assert.InRange(c, 1, 200));
    }
}
