using System.Text.Json;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>
/// A member's cluster id (KEP-2149) resolved by the member engine against a sandbox member: the ClusterProperty and
/// its CRD are created when absent, an existing valid value is kept (never overwritten), an unusable one is reported
/// as a Warning Event on the Cluster and leaves the member without an id; the API failing first only delays it.
/// </summary>
public sealed class ClusterIdentityTests : SandboxContext, IDisposable
{
    private const string Key = "default/default/default/cluster-1";
    private readonly string _kubeconfigFile = Path.Combine(Path.GetTempPath(), $"cluster-identity-{Guid.NewGuid():N}.yaml");
    private readonly ClusterIdentities _identities = new();

    [Fact]
    public async Task An_absent_property_is_created_with_the_cluster_name_and_its_CRD_installed()
    {
        using var client = Client();
        await using var engine = await EngineAsync();

        // The API refuses the first requests: the work throws and comes back after its backoff.
        Cluster.Faults.FailRequests(503, 2);
        engine.Submit(new EnsureClusterIdentity(Key, "cluster-1", "uid-1"));

        await Eventually.Until(() => Task.FromResult(_identities.IdOf(Key)), id => id == "cluster-1", "the id resolved");
        Assert.True(_identities.Find(Key)!.Created);
        Assert.Equal("cluster-1", (await ValueAsync(client))!);
        await Eventually.Until(() => EventsAsync(client), events => events.Any(e => e.Reason == "ClusterIdCreated" && e.Type == "Normal"), "the creation told");
    }

    [Fact]
    public async Task An_existing_valid_value_is_kept_and_used()
    {
        using var client = Client();
        await InstallCrdAsync(client);
        await CreatePropertyAsync(client, "east.example");
        await using var engine = await EngineAsync();

        engine.Submit(new EnsureClusterIdentity(Key, "cluster-1", "uid-1"));

        await Eventually.Until(() => Task.FromResult(_identities.IdOf(Key)), id => id == "east.example", "the existing id used");
        Assert.False(_identities.Find(Key)!.Created);
        Assert.Equal("east.example", await ValueAsync(client));
    }

    [Fact]
    public async Task An_unusable_value_is_reported_and_never_overwritten()
    {
        using var client = Client();
        await InstallCrdAsync(client);
        await CreatePropertyAsync(client, "Not_A_Label");
        var changes = 0;
        _identities.Changed += key => Interlocked.Increment(ref changes);
        await using var engine = await EngineAsync();

        engine.Submit(new EnsureClusterIdentity(Key, "cluster-1", "uid-1"));

        var warning = await Eventually.Until(
            async () => (await EventsAsync(client)).FirstOrDefault(e => e.Reason == ClusterIdentityResult.InvalidClusterId),
            e => e is not null, "the unusable id told");
        Assert.Equal("Warning", warning!.Type);
        Assert.Contains("Not_A_Label", warning.Message, StringComparison.Ordinal);
        Assert.Null(_identities.IdOf(Key));
        Assert.Equal(ClusterIdentityResult.InvalidClusterId, _identities.Find(Key)!.Reason);
        Assert.Equal("Not_A_Label", await ValueAsync(client));

        // Asked again with nothing changed: no second Event, no second change.
        engine.Submit(new EnsureClusterIdentity(Key, "cluster-1", "uid-1"));
        await Eventually.Until(() => Task.FromResult(engine.Pending), p => p == 0, "the engine idle");
        Assert.Equal(1, Volatile.Read(ref changes));
        Assert.Single(await EventsAsync(client), e => e.Reason == ClusterIdentityResult.InvalidClusterId);
    }

    [Fact]
    public async Task A_cluster_name_that_is_no_DNS_label_is_reported_and_nothing_created()
    {
        using var client = Client();
        await using var engine = await EngineAsync();

        engine.Submit(new EnsureClusterIdentity(Key, "cluster.one", "uid-1"));

        await Eventually.Until(() => Task.FromResult(_identities.Find(Key)?.Reason), r => r == ClusterIdentityResult.InvalidClusterName, "the name refused");
        Assert.Null(await ValueAsync(client));
    }

    [Theory]
    [InlineData("cluster-1", true, true)]
    [InlineData("a", true, true)]
    [InlineData("east.example", false, true)]
    [InlineData("Cluster1", false, false)]
    [InlineData("-x", false, false)]
    [InlineData("x-", false, false)]
    [InlineData("", false, false)]
    public void Names_and_ids_are_validated(string value, bool label, bool usable)
    {
        Assert.Equal(label, ClusterIdentity.IsDnsLabel(value));
        Assert.Equal(usable, ClusterIdentity.IsUsableId(value));
        Assert.False(ClusterIdentity.IsDnsLabel(new string('a', 64)));
        Assert.False(ClusterIdentity.IsUsableId(new string('a', 64)));
    }

    public void Dispose() => File.Delete(_kubeconfigFile);

    private async Task<MemberEngine> EngineAsync()
    {
        await File.WriteAllTextAsync(_kubeconfigFile, Cluster.Kubeconfig());
        var options = Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions
        {
            ControlPlaneKubeconfig = _kubeconfigFile,
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) },
        });
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        var spec = new ClusterSpec("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 80, Cluster.Kubeconfig(), null, 1, "1");
        await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None);
        return new MemberEngine(null!, new ControlPlaneConnection(options), credentials, new MemberClients(credentials, options), (_, _) => Task.CompletedTask,
            options, TimeProvider.System, NullLogger<MemberEngine>.Instance, _identities);
    }

    private static Task InstallCrdAsync(Kubernetes client) =>
        client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(CrdManifests.Get(ClusterIdentity.CrdName));

    private static Task CreatePropertyAsync(Kubernetes client, string value) =>
        Eventually.Until(async () =>
        {
            await client.CustomObjects.CreateClusterCustomObjectAsync(new ClusterPropertyResource
            {
                Metadata = new V1ObjectMeta { Name = McsNames.ClusterIdProperty },
                Spec = new ClusterPropertySpec { Value = value },
            }, McsNames.AboutGroup, McsNames.AboutVersion, McsNames.ClusterProperties);
            return true;
        }, created => created, "the property created");

    private static async Task<string?> ValueAsync(Kubernetes client)
    {
        try
        {
            var raw = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync(McsNames.AboutGroup, McsNames.AboutVersion, McsNames.ClusterProperties, McsNames.ClusterIdProperty);
            return raw.GetProperty("spec").GetProperty("value").GetString();
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    private static async Task<List<Corev1Event>> EventsAsync(Kubernetes client) =>
        [.. (await client.CoreV1.ListNamespacedEventAsync("default")).Items.Where(e => e.InvolvedObject?.Name == "cluster-1")];
}
