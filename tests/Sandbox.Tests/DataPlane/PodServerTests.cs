using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.DataPlane;

/// <summary>Pods with container ports answer HTTP on their pod IP, over real sockets, for as long as they exist.</summary>
public sealed class PodServerTests : IAsyncLifetime
{
    private readonly SandboxFixture _fixture = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Ready_pods_answer_their_name_on_pod_ip_and_container_port()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "httpbin", "httpbin", 2);
        var pods = await ReadyPods.WaitAsync(client, "httpbin", "httpbin", 2);

        foreach (var pod in pods)
        {
            Assert.StartsWith("127.", pod.Status.PodIP, StringComparison.Ordinal);
            using var response = await _http.GetAsync(ReadyPods.Url(pod));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(pod.Metadata.Name + "\n", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(2, pods.Select(p => p.Status.PodIP).Distinct().Count());
    }

    [Fact]
    public async Task One_connection_carries_many_requests()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "keepalive", "keepalive", 1);
        var pod = (await ReadyPods.WaitAsync(client, "keepalive", "keepalive", 1)).Single();

        await using var connection = await RawHttp.ConnectAsync(new IPEndPoint(IPAddress.Parse(pod.Status.PodIP), 8080));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal((200, pod.Metadata.Name + "\n"), await connection.GetAsync($"/get?n={i}"));
        }

        // Pipelined: both requests written before either answer is read.
        await connection.SendGetAsync("/a");
        await connection.SendGetAsync("/b");
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Deleted_and_scaled_down_pods_stop_listening()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "scale", "scale", 3);
        var pods = await ReadyPods.WaitAsync(client, "scale", "scale", 3);
        var deleted = pods[0];

        await client.CoreV1.DeleteNamespacedPodAsync(deleted.Metadata.Name, "scale");
        await Eventually.Until(() => RefusedAsync(deleted), $"pod {deleted.Metadata.Name} refuses connections once deleted");

        // Its replacement answers with its own name.
        var replaced = await Eventually.Until(
            () => ReadyPods.WaitAsync(client, "scale", "scale", 3),
            list => list.All(p => p.Metadata.Name != deleted.Metadata.Name),
            "a replacement pod");
        var fresh = replaced.Single(p => pods.All(old => old.Metadata.Name != p.Metadata.Name));
        Assert.Equal(fresh.Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(fresh)));

        await client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "scale", "scale");
        var remaining = (await ReadyPods.WaitAsync(client, "scale", "scale", 1)).Single();
        foreach (var gone in replaced.Where(p => p.Metadata.Name != remaining.Metadata.Name))
        {
            await Eventually.Until(() => RefusedAsync(gone), $"scaled-down pod {gone.Metadata.Name} refuses connections");
        }

        Assert.Equal(remaining.Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(remaining)));
        Assert.Equal(1, _fixture.Cluster.PodServers.Count);
    }

    [Fact]
    public async Task Pods_without_ports_serve_nothing()
    {
        var client = _fixture.Client();
        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace("curl"));
        var deployment = Objects.Deployment("curl", "curl", 1, "curl");
        deployment.Spec.Template.Spec.Containers[0].Ports = null;
        deployment.Spec.Template.Spec.Containers[0].Command = ["sleep", "365d"];
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "curl");
        var pod = (await ReadyPods.WaitAsync(client, "curl", "curl", 1)).Single();

        Assert.NotNull(pod.Status.PodIP);
        Assert.False(_fixture.Cluster.PodServers.IsServing("curl", pod.Metadata.Name, pod.Metadata.Uid));
        Assert.True(await RefusedAsync(pod, 8080));
        Assert.True(await RefusedAsync(pod, 80));
    }

    [Fact]
    public async Task Disposing_the_cluster_stops_every_pod()
    {
        var host = await SandboxHost.StartAsync(["short-lived"], new SandboxClusterOptions { PodReadyDelay = TimeSpan.FromMilliseconds(50) });
        V1Pod pod;
        try
        {
            var cluster = host["short-lived"];
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(cluster.Kubeconfig()));
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
            await ReadyPods.DeployAsync(client, "app", "app", 1);
            pod = (await ReadyPods.WaitAsync(client, "app", "app", 1)).Single();
            Assert.Equal(pod.Metadata.Name + "\n", await _http.GetStringAsync(ReadyPods.Url(pod)));
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.True(await RefusedAsync(pod));
    }

    private static async Task<bool> RefusedAsync(V1Pod pod, int port = 8080)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(pod.Status.PodIP), port);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}
