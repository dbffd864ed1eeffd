using System.Collections.Immutable;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using StackExchange.Redis;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// A store that comes back from a restart with an older copy of a grain's state (it lost acknowledged writes, as a
/// store restored from a snapshot does) must not cost the system what the active grain still holds: the next write
/// goes over the stale copy instead of failing for good and reloading the older state on the next activation.
/// Real redis-server, real silos; the rollback is made in the store with DUMP and RESTORE.
/// </summary>
public sealed class StoreRollbackTests(DurableReconcilerFixture fixture) : IClassFixture<DurableReconcilerFixture>
{
    private const string Service = "rollback/web";

    [Fact]
    public async Task A_grain_whose_stored_state_was_rolled_back_writes_over_it_and_loses_nothing()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var db = redis.GetDatabase();
        var grain = fixture.Silos.Client.GetGrain<IServiceImportGrain>(Service);

        await grain.Contribute("default/default/default/cluster-1", Contribution("default/default/default/cluster-1", 1));
        var key = Assert.Single(redis.GetServers().Single().Keys(pattern: "*rollback*web*"));
        var before = await db.KeyDumpAsync(key);
        Assert.NotNull(before);

        // cluster-2's contribution is written, then the store loses that write.
        await grain.Contribute("default/default/default/cluster-2", Contribution("default/default/default/cluster-2", 2));
        await db.KeyDeleteAsync(key);
        await db.KeyRestoreAsync(key, before);

        // The next change is written over the stale copy, carrying everything the grain holds.
        await grain.Contribute("default/default/default/cluster-3", Contribution("default/default/default/cluster-3", 3));
        Assert.Equal(3, (await grain.GetContributors()).Length);

        // A new activation reads all three back from the store.
        await fixture.Silos.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var reloaded = await Eventually.Until(() => fixture.Silos.Client.GetGrain<IServiceImportGrain>(Service).GetContributors(), c => c.Length == 3,
            "the three contributions read back after reactivation", TimeSpan.FromSeconds(30));
        Assert.Equal(["default/default/default/cluster-1", "default/default/default/cluster-2", "default/default/default/cluster-3"], reloaded.ToArray());
    }

    [Fact]
    public async Task A_withdrawal_the_store_lost_is_made_again_when_the_state_is_read_back()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        foreach (var client in new[] { c1, c2 })
        {
            await Workloads.DeployAsync(client, "rollback", "api");
            await Workloads.ExportAsync(client, "rollback", "api");
        }

        await Eventually.Until(async () => Manifests.EndpointClusters(await Manifests.GetImportAsync(c3, "rollback", "api")), e => e.Length == 2, "both exporters imported");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var db = redis.GetDatabase();
        var key = Assert.Single(redis.GetServers().Single().Keys(pattern: "*rollback*api*"));
        var both = await db.KeyDumpAsync(key);
        Assert.NotNull(both);

        // cluster-2 withdraws; then the store comes back from a copy taken before, and every silo restarts, so the
        // grain reads the withdrawn contribution back while cluster-2's export grain no longer exists to resend.
        await Manifests.DeleteExportAsync(c2, "rollback", "api");
        await Eventually.Until(async () => Manifests.EndpointClusters(await Manifests.GetImportAsync(c3, "rollback", "api")), e => e.Length == 1, "withdrawn");
        await fixture.Silos.StopAllSilosAsync();
        await fixture.Silos.DisposeAsync();
        await db.KeyDeleteAsync(key);
        await db.KeyRestoreAsync(key, both);
        fixture.Silos = await fixture.StartSilosAsync(DurableReconcilerFixture.ServiceId);

        // The contributor asks its member, which has no such export: withdrawn again, in the grain and in every member.
        var grain = fixture.Silos.Client.GetGrain<IServiceImportGrain>("rollback/api");
        await Eventually.Until(() => grain.GetContributors(), c => c.SequenceEqual(["default/default/default/cluster-1"]), "the stale contribution withdrawn");
        await Eventually.Until(async () => Manifests.EndpointClusters(await Manifests.GetImportAsync(c3, "rollback", "api")), e => e.SequenceEqual(["default/default/default/cluster-1"]),
            "cluster-3 imports cluster-1's endpoints only");
    }

    private static ExportContribution Contribution(string clusterKey, int second) => new(
        clusterKey,
        DateTimeOffset.UnixEpoch.AddSeconds(second),
        "ClusterSetIP",
        "None",
        null,
        null,
        [new ContributedPort("http", "TCP", 8080, null, "/web")],
        new GatewayAddress("127.0.0.1", "127.0.0.1", 1000 + second),
        true,
        ImmutableArray<string>.Empty);
}
