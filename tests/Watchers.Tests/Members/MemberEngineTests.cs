using System.Text.Json;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Members;

/// <summary>
/// The member engine against a sandbox control plane: it is the one writer of a Cluster object's conditions and
/// Events, retries a failed write under the retry contract (the API failing a few times delays it, never drops it),
/// writes only the newest decision, and masks the member's credentials from every message it writes.
/// </summary>
public sealed class MemberEngineTests : SandboxContext, IDisposable
{
    private const string Key = "default/default/default/cluster-1";
    private const string Token = "LEAKTOKEN-engine-5c1d7e9a";
    private readonly string _kubeconfigFile = Path.Combine(Path.GetTempPath(), $"member-engine-{Guid.NewGuid():N}.yaml");

    [Fact]
    public async Task A_failed_status_write_comes_back_after_its_backoff_and_the_newest_decision_is_written()
    {
        using var client = Client();
        await CreateClusterAsync(client);
        await using var engine = await EngineAsync();

        // The control plane refuses the next three requests: the write fails, waits, and lands.
        Cluster.Faults.FailRequests(500, 3);
        engine.Submit(Status(managed: false, ConditionReasons.Connecting, "connecting"));
        engine.Submit(Status(managed: true, ConditionReasons.Connected, $"synced with token {Token}"));

        var managed = await Eventually.Until(() => ConditionAsync(client, ConditionTypes.Managed), c => c?.Status == "True", "Managed=True written after the failures");
        Assert.Equal(ConditionReasons.Connected, managed!.Reason);
        Assert.DoesNotContain(Token, managed.Message, StringComparison.Ordinal);
        Assert.Contains(CredentialRedaction.Mask, managed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_are_recorded_on_the_Cluster_masked_of_credentials()
    {
        using var client = Client();
        await CreateClusterAsync(client);
        await using var engine = await EngineAsync();

        Cluster.Faults.FailRequests(503, 2);
        engine.Submit(new RecordClusterEvent(Key, "cluster-1", "uid-1", true, ConditionReasons.Unauthorized, $"the token {Token} was refused"));

        var recorded = await Eventually.Until(
            async () => (await client.CoreV1.ListNamespacedEventAsync("default")).Items.Where(e => e.InvolvedObject?.Name == "cluster-1").ToList(),
            events => events.Count == 1,
            "one Event on the Cluster");
        Assert.Equal(("Warning", ConditionReasons.Unauthorized, "Cluster"), (recorded[0].Type, recorded[0].Reason, recorded[0].InvolvedObject.Kind));
        Assert.DoesNotContain(Token, recorded[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Cluster_being_deleted_is_not_retried_for_ever()
    {
        await using var engine = await EngineAsync();

        // No Cluster object: the 404 ends the work (its removal follows), so the queue goes idle with nothing failing.
        engine.Submit(Status(managed: true, ConditionReasons.Connected, "synced"));
        await Eventually.Until(() => Task.FromResult(engine.Pending), pending => pending == 0, "the engine idle");
    }

    public void Dispose() => File.Delete(_kubeconfigFile);

    private static WriteClusterStatus Status(bool managed, string reason, string message) =>
        new(Key, "cluster-1", 1, [new ConditionUpdate(ConditionTypes.Managed, managed, reason, message, 1)]);

    private async Task<MemberEngine> EngineAsync()
    {
        await File.WriteAllTextAsync(_kubeconfigFile, Cluster.Kubeconfig());
        var options = Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions
        {
            ControlPlaneKubeconfig = _kubeconfigFile,
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) },
        });
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        var spec = new ClusterSpec("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 80, $"users:\n- name: u\n  user:\n    token: {Token}\n", null, 1, "1");
        await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None);
        return new MemberEngine(null!, new ControlPlaneConnection(options), credentials, new MemberClients(credentials, options), (_, _) => Task.CompletedTask,
            options, TimeProvider.System, NullLogger<MemberEngine>.Instance);
    }

    private static async Task CreateClusterAsync(Kubernetes client)
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "crds", "flomesh.io_clusters.yaml")));
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);

        // As on a real API server, a new CRD's resource is served once the CRD is Established.
        await Eventually.Until(async () => (await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name)).Status?.Conditions?
            .Any(c => c.Type == "Established" && c.Status == "True") == true, "the Cluster CRD Established");
        await client.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = "cluster-1" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 80, Kubeconfig = "inline" },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);
    }

    private static async Task<Condition?> ConditionAsync(Kubernetes client, string type)
    {
        var raw = await client.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "cluster-1");
        var cluster = JsonSerializer.Deserialize<ClusterResource>(((JsonElement)raw).GetRawText(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return cluster.Status?.Conditions?.SingleOrDefault(c => c.Type == type);
    }
}
