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

/// <summary>A write refused for a stale ETag (another activation wrote meanwhile) keeps the versions that one acknowledged.</summary>
public sealed class ClusterDirectoryMergeTests
{
    [Fact]
    public async Task A_stale_write_merges_the_stored_service_versions_instead_of_dropping_them()
    {
        var store = new StaleOnceState();
        store.Stored.Services["load/e014"] = 7;
        var directory = new ClusterDirectoryGrain(store);

        await directory.SetServiceVersion("load/e015", 9);

        Assert.Equal(7, store.Stored.Services["load/e014"]);
        Assert.Equal(9, store.Stored.Services["load/e015"]);
        Assert.Equal(2, (await directory.GetServices()).Count);
    }

    /// <summary>Refuses the first write as stale, as a store does when another activation wrote since this one read.</summary>
    private sealed class StaleOnceState : IPersistentState<ClusterDirectoryState>
    {
        private bool _refused;

        public ClusterDirectoryState Stored { get; private set; } = new();

        public ClusterDirectoryState State { get; set; } = new();

        public string? Etag => null;

        public bool RecordExists => true;

        public Task ClearStateAsync() => Task.CompletedTask;

        public Task ReadStateAsync()
        {
            State = new ClusterDirectoryState { Services = new(Stored.Services, StringComparer.Ordinal), Clusters = new(Stored.Clusters, StringComparer.Ordinal) };
            return Task.CompletedTask;
        }

        public Task WriteStateAsync()
        {
            if (!_refused)
            {
                _refused = true;
                throw new global::Orleans.Storage.InconsistentStateException("stale etag");
            }

            Stored = new ClusterDirectoryState { Services = new(State.Services, StringComparer.Ordinal), Clusters = new(State.Clusters, StringComparer.Ordinal) };
            return Task.CompletedTask;
        }
    }
}
