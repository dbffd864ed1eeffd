using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.ControlPlane;

/// <summary>
/// The control-plane watcher against a sandbox control plane, its grains faked: a Cluster is handed to its grain, a
/// refused hand-over comes back after the retry backoff (not at the next resync, which is far off here), and a deleted
/// Cluster is removed at its last resourceVersion with its credentials forgotten once its grain took the removal.
/// </summary>
public sealed class ClusterWatcherTests : SandboxContext, IDisposable
{
    private const string Key = "default/default/default/cluster-1";
    private readonly string _kubeconfigFile = Path.Combine(Path.GetTempPath(), $"cluster-watcher-{Guid.NewGuid():N}.yaml");
    private readonly ConcurrentQueue<string> _calls = new();
    private int _refuse = 2;

    [Fact]
    public async Task A_refused_hand_over_comes_back_after_its_backoff_and_a_deleted_Cluster_is_removed()
    {
        using var client = Client();
        await File.WriteAllTextAsync(_kubeconfigFile, Cluster.Kubeconfig());
        var options = Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions
        {
            ControlPlaneKubeconfig = _kubeconfigFile,
            ResyncInterval = TimeSpan.FromHours(1),
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) },
        });
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        using var controlPlane = new ControlPlaneConnection(options);
        using var watcher = new ClusterWatcher(controlPlane, credentials, new FakeGrains(Grain).Factory, new StartedHost(), options, TimeProvider.System, NullLogger<ClusterWatcher>.Instance);
        await CreateClusterAsync(client);
        await watcher.StartAsync(CancellationToken.None);

        await Eventually.Until(() => Task.FromResult(_calls.Count(c => c.StartsWith("Upsert", StringComparison.Ordinal))), n => n == 3, "two refused hand-overs and one taken");
        Assert.True(watcher.Synced);
        Assert.NotNull(credentials.Find(Key));

        var created = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "cluster-1");
        var version = long.Parse(created.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, CultureInfo.InvariantCulture);
        await client.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "cluster-1");
        var removed = await Eventually.Until(() => Task.FromResult(_calls.LastOrDefault()), c => c?.StartsWith("Remove:", StringComparison.Ordinal) == true, "the member removed");
        Assert.True(long.Parse(removed!["Remove:".Length..], CultureInfo.InvariantCulture) >= version, "removed at its last resourceVersion or later");
        Assert.Null(credentials.Find(Key));
        await watcher.StopAsync(CancellationToken.None);
    }

    public void Dispose() => File.Delete(_kubeconfigFile);

    private object? Grain(Type grain, string key, MethodInfo method, object?[] args)
    {
        Assert.Equal((typeof(IClusterGrain), Key), (grain, key));
        switch (method.Name)
        {
            case nameof(IClusterGrain.Upsert):
                _calls.Enqueue($"Upsert:{((ClusterSpec)args[0]!).ResourceVersion}");
                return Interlocked.Decrement(ref _refuse) >= 0 ? Task.FromException(new TimeoutException("the silo is shutting down")) : Task.CompletedTask;
            case nameof(IClusterGrain.Remove):
                _calls.Enqueue($"Remove:{args[0]}");
                return Task.CompletedTask;
            default:
                throw new NotSupportedException(method.Name);
        }
    }

    private static async Task CreateClusterAsync(Kubernetes client)
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "crds", "flomesh.io_clusters.yaml")));
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        await client.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = "cluster-1" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 80, Kubeconfig = "apiVersion: v1\nkind: Config\n" },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);
    }

    /// <summary>A host that has started.</summary>
    private sealed class StartedHost : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => new(canceled: true);

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
