using ErieCanal.Orleans.Grains.Directory;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Directory;

/// <summary>Which registrations the directory writes before answering, and which the next flush may carry.</summary>
public sealed class ClusterDirectoryGrainTests
{
    private static readonly ClusterInfo Known = new("k/cluster-1", "cluster-1", true, true, true, new GatewayAddress("127.0.0.2", "127.0.0.2", 8091), 3);

    [Fact]
    public void A_health_flip_alone_waits_for_the_flush()
    {
        Assert.True(ClusterDirectoryGrain.OnlyHealthChanged(Known, Known with { Healthy = false, HealthSequence = 4 }));
    }

    [Fact]
    public void A_new_member_or_any_other_change_is_written_before_answering()
    {
        Assert.False(ClusterDirectoryGrain.OnlyHealthChanged(null, Known));
        Assert.False(ClusterDirectoryGrain.OnlyHealthChanged(Known, Known with { Managed = false }));
        Assert.False(ClusterDirectoryGrain.OnlyHealthChanged(Known, Known with { Gateway = new GatewayAddress("127.0.0.3", "127.0.0.3", 8091) }));
        Assert.False(ClusterDirectoryGrain.OnlyHealthChanged(Known, Known with { Healthy = false, Synced = false }));
    }
}
