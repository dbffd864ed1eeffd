using System.Text.Json.Nodes;
using System.Text;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Grains.Members;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using StackExchange.Redis;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>Grain state in a real redis-server the test reads raw, as anyone with access to the store could.</summary>
public sealed class CredentialStoreFixture : ReconcilerFixture
{
    public const string ServiceId = "erie-canal-credential-storage-tests";

    public RedisServer Store { get; private set; } = null!;

    protected override string? Redis => Store?.ConnectionString;

    protected override string? FixedServiceId => ServiceId;

    public override async Task InitializeAsync()
    {
        Store = await RedisServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Store.DisposeAsync();
    }
}

/// <summary>
/// Members registered with an inline kubeconfig (the seed's form) are managed from a durable store that never holds
/// the kubeconfig: no member's token or API server address is in any key or value of the store, while the member
/// grains' state is (their kubeconfigs' digests). After a restart of every silo the members are managed again, their
/// kubeconfigs taken from each silo's own watch of the control plane, exports still propagate, and a changed inline
/// kubeconfig still reconnects its member; a member state written by the previous version, kubeconfig included, loads
/// and is rewritten without it.
/// </summary>
public sealed class CredentialStorageTests(CredentialStoreFixture fixture) : IClassFixture<CredentialStoreFixture>
{
    private const string WrongToken = "sandbox-cluster-3-wrong-7c41d9e2b05a";
    private static readonly string[] Members = ["cluster-1", "cluster-2", "cluster-3"];

    [Fact]
    public async Task No_inline_kubeconfig_reaches_the_grain_store_and_members_are_managed_again_after_a_restart()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        await WaitManagedAsync(fixture.Silos.Client);
        await Workloads.DeployAsync(c1, "creds", "before");
        await Workloads.ExportAsync(c1, "creds", "before");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "creds", "before") is not null
            && await Manifests.GetImportAsync(c3, "creds", "before") is not null, "imported before the restart");

        await AssertNoCredentialsStoredAsync();

        // Every silo goes down. Meanwhile cluster-1's state is put back as the previous version wrote it, the inline
        // kubeconfig in the spec and no digest; every silo comes back on the same store, no grain holding a
        // kubeconfig in memory any more.
        var old = fixture.Silos;
        await old.StopAllSilosAsync();
        await old.DisposeAsync();
        await WriteAsPreviousVersionAsync("cluster-1");
        Assert.Contains(fixture.Member("cluster-1").Token, await DumpStoreAsync(), StringComparison.Ordinal);
        var restarted = await fixture.StartSilosAsync(CredentialStoreFixture.ServiceId);
        fixture.Silos = restarted;

        await WaitManagedAsync(restarted.Client);
        await Workloads.DeployAsync(c2, "creds", "after");
        await Workloads.ExportAsync(c2, "creds", "after");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c1, "creds", "after") is not null
            && await Manifests.GetImportAsync(c3, "creds", "after") is not null, "an export made after the restart is imported");
        await Manifests.DeleteExportAsync(c1, "creds", "before");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "creds", "before") is null
            && await Manifests.GetImportAsync(c3, "creds", "before") is null, "a withdrawal after the restart propagates");

        // A changed inline kubeconfig still reconnects the member (the store has its digest to compare, not the text).
        using var controlPlane = fixture.Client(EmbeddedEnvironment.ControlPlaneName);
        var member3 = fixture.Member("cluster-3");
        var grain3 = restarted.Client.GetGrain<IClusterGrain>(Key("cluster-3"));
        await PatchKubeconfigAsync(controlPlane, "cluster-3", member3.Kubeconfig().Replace(member3.Token, WrongToken, StringComparison.Ordinal));
        await Eventually.Until(() => grain3.GetState(), s => s.ManagedReason == ConditionReasons.Unauthorized, "cluster-3 reconnected with the wrong token");
        await PatchKubeconfigAsync(controlPlane, "cluster-3", member3.Kubeconfig());
        await WaitManagedAsync(restarted.Client);

        await AssertNoCredentialsStoredAsync();
        Assert.DoesNotContain(WrongToken, await DumpStoreAsync(), StringComparison.Ordinal);
    }

    private static string Key(string member) => ClusterKeys.Format(ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, member);

    private static Task PatchKubeconfigAsync(IKubernetes controlPlane, string name, string kubeconfig) =>
        controlPlane.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch(new JsonObject { ["spec"] = new JsonObject { ["kubeconfig"] = kubeconfig } }.ToJsonString(), V1Patch.PatchType.MergePatch),
            ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);

    private static async Task WaitManagedAsync(IClusterClient client)
    {
        foreach (var member in Members)
        {
            await Eventually.Until(() => client.GetGrain<IClusterGrain>(Key(member)).GetState(), s => s.Managed, $"{member} managed");
        }
    }

    /// <summary>No member's token or API server address in the store, while each member grain's digest is.</summary>
    private async Task AssertNoCredentialsStoredAsync()
    {
        var store = await DumpStoreAsync();
        foreach (var member in Members)
        {
            var sandbox = fixture.Member(member);
            var digest = ClusterGrainState.Digest(sandbox.Kubeconfig());

            // The check is not blind: the member grain's state is there, and it is the one for this kubeconfig.
            Assert.Contains(digest!, store, StringComparison.Ordinal);
            Assert.DoesNotContain(sandbox.Token, store, StringComparison.Ordinal);
            Assert.DoesNotContain(sandbox.Server.ToString().TrimEnd('/'), store, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The member grain's state as a version before the digest wrote it: the spec with its kubeconfig, and no
    /// digest (the storage serializer is JSON, which leaves out null properties).
    /// </summary>
    private async Task WriteAsPreviousVersionAsync(string member)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Store.ConnectionString);
        var database = redis.GetDatabase();
        var key = $"{CredentialStoreFixture.ServiceId}/state/cluster/{Key(member)}/cluster";
        var state = JsonNode.Parse((string)(await database.HashGetAsync(key, "data"))!)!.AsObject();
        Assert.True(state.Remove(nameof(ClusterGrainState.InlineKubeconfigDigest)), "the digest is stored");
        state[nameof(ClusterGrainState.Spec)]![nameof(ClusterSpec.Kubeconfig)] = fixture.Member(member).Kubeconfig();
        await database.HashSetAsync(key, "data", state.ToJsonString());
    }

    /// <summary>Every key and value in the store, as text.</summary>
    private async Task<string> DumpStoreAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Store.ConnectionString);
        var server = redis.GetServers().Single();
        var database = redis.GetDatabase();
        var dump = new StringBuilder();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            dump.Append(Encoding.UTF8.GetString((byte[])key!)).Append('\n');
            var type = await database.KeyTypeAsync(key);
            var values = type switch
            {
                RedisType.String => [await database.StringGetAsync(key)],
                RedisType.Hash => (await database.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name, e.Value }).ToArray(),
                RedisType.List => await database.ListRangeAsync(key),
                RedisType.Set => await database.SetMembersAsync(key),
                RedisType.SortedSet => await database.SortedSetRangeByRankAsync(key),
                _ => [],
            };
            foreach (var value in values)
            {
                dump.Append(Encoding.UTF8.GetString((byte[])value!)).Append('\n');
            }
        }

        return dump.ToString();
    }
}
