using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Tests.DataPlane;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Network;

/// <summary>
/// With the cluster network served, a process on this machine sees the cluster as a pod's container does: the
/// cluster DNS answers (asked with the real dig) and Service cluster IPs accept connections that reach ready pods.
/// </summary>
public sealed class ClusterNetworkTests : IAsyncLifetime
{
    private readonly NetworkFixture _fixture = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Service_names_resolve_to_their_cluster_ip_and_the_cluster_ip_reaches_ready_pods()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "web", "httpbin", 2);
        var service = await client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("httpbin", "web", "httpbin"), "web");
        var pods = await ReadyPods.WaitAsync(client, "web", "httpbin", 2);

        var answer = await DigAsync("httpbin.web.svc.cluster.local");
        Assert.Equal("NOERROR", answer.Status);
        Assert.Equal([service.Spec.ClusterIP], answer.Addresses);

        // kube-proxy's choice is random: every ready pod answers sooner or later, through the one cluster IP.
        var seen = new HashSet<string>();
        await Eventually.Until(
            async () =>
            {
                // A connection each: kube-proxy picks per connection.
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{service.Spec.ClusterIP}:8080/")) { Headers = { ConnectionClose = true } };
                using var response = await _http.SendAsync(request);
                seen.Add((await response.Content.ReadAsStringAsync()).Trim());
                return seen.Count;
            },
            count => count == 2,
            "both pods answering through the cluster IP");
        Assert.Equal(pods.Select(p => p.Metadata.Name).Order(), seen.Order());
    }

    [Fact]
    public async Task Headless_services_resolve_to_ready_pod_ips_and_pods_by_hostname_and_subdomain()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "stateful", "peers", 2);
        var headless = Objects.Service("peers", "stateful", "peers");
        headless.Spec.ClusterIP = "None";
        await client.CoreV1.CreateNamespacedServiceAsync(headless, "stateful");
        var pods = await ReadyPods.WaitAsync(client, "stateful", "peers", 2);

        var all = await Eventually.Until(() => DigAsync("peers.stateful.svc.cluster.local"), a => a.Addresses.Count == 2, "both endpoints in DNS");
        Assert.Equal(pods.Select(p => p.Status.PodIP).Order(), all.Addresses.Order());

        // A pod with hostname and subdomain, as a StatefulSet's pods: <hostname>.<service>.<ns>.svc.cluster.local, answered
        // from the hostname the endpointslice controller copies into the endpoint of the Service the subdomain names.
        var deployment = Objects.Deployment("peer", "stateful", 1, "peer");
        deployment.Spec.Template.Spec.Hostname = "peer-0";
        deployment.Spec.Template.Spec.Subdomain = "peer-set";
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "stateful");
        var set = Objects.Service("peer-set", "stateful", "peer");
        set.Spec.ClusterIP = "None";
        await client.CoreV1.CreateNamespacedServiceAsync(set, "stateful");
        var ready = (await ReadyPods.WaitAsync(client, "stateful", "peer", 1)).Single();
        var byName = await Eventually.Until(() => DigAsync("peer-0.peer-set.stateful.svc.cluster.local"), a => a.Addresses.Count == 1, "peer-0 in DNS");
        Assert.Equal([ready.Status.PodIP], byName.Addresses);
    }

    [Fact]
    public async Task Unknown_names_are_nxdomain_and_names_outside_the_cluster_are_refused()
    {
        Assert.Equal("NXDOMAIN", (await DigAsync("nothing.nowhere.svc.cluster.local")).Status);
        Assert.Equal("REFUSED", (await DigAsync("example.com")).Status);
    }

    [Fact]
    public async Task External_name_services_answer_with_a_cname_followed_inside_the_cluster()
    {
        var client = _fixture.Client();
        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace("alias"));
        var target = await client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("target", "alias", "none"), "alias");
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "pointer" },
                Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "target.alias.svc.cluster.local" },
            },
            "alias");

        var answer = await DigAsync("pointer.alias.svc.cluster.local");
        Assert.Equal("NOERROR", answer.Status);
        Assert.Contains("target.alias.svc.cluster.local.", answer.Aliases);
        Assert.Equal([target.Spec.ClusterIP], answer.Addresses);
    }

    [Fact]
    public async Task A_cluster_ip_without_ready_endpoints_refuses_and_a_deleted_service_stops_listening()
    {
        var client = _fixture.Client();
        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace("empty"));
        var service = await client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("lonely", "empty", "nobody"), "empty");
        var endPoint = new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIP), 8080);
        await Eventually.Until(() => Task.FromResult(_fixture.Cluster.ServiceProxy!.Listening.Contains(endPoint)), listening => listening, "the cluster IP listening");

        // Accepted, then reset: the client never gets an answer, as with iptables' REJECT for a Service without endpoints.
        // HttpClient usually wraps the reset; when it lands while the request is still being written, the socket's
        // own error (ENOTCONN) comes through unwrapped. Either way: no answer.
        var error = await Record.ExceptionAsync(() => _http.GetStringAsync(new Uri($"http://{endPoint}/")));
        Assert.True(error is HttpRequestException or SocketException or IOException, $"expected the connection to be refused or reset, got {error?.GetType().Name ?? "an answer"}");

        await client.CoreV1.DeleteNamespacedServiceAsync("lonely", "empty");
        await Eventually.Until(() => Task.FromResult(_fixture.Cluster.ServiceProxy!.Listening.Contains(endPoint)), listening => !listening, "the cluster IP closed");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_load_balancer_service_is_announced_at_its_cluster_ip()
    {
        var client = _fixture.Client();
        await ReadyPods.DeployAsync(client, "edge", "gateway", 1);
        var service = Objects.Service("gateway", "edge", "gateway");
        service.Spec.Type = "LoadBalancer";
        var created = await client.CoreV1.CreateNamespacedServiceAsync(service, "edge");
        var pod = (await ReadyPods.WaitAsync(client, "edge", "gateway", 1)).Single();

        var announced = await Eventually.Until(
            () => client.CoreV1.ReadNamespacedServiceAsync("gateway", "edge"),
            s => s.Status?.LoadBalancer?.Ingress?.Count > 0,
            "the load balancer's address in status");
        var ip = Assert.Single(announced.Status.LoadBalancer.Ingress).Ip;
        Assert.Equal(created.Spec.ClusterIP, ip);
        Assert.Equal(pod.Metadata.Name, (await _http.GetStringAsync(new Uri($"http://{ip}:8080/"))).Trim());
    }

    private Task<DigAnswer> DigAsync(string name) => Dig.AskAsync(_fixture.Cluster, name);

    private sealed class NetworkFixture : SandboxFixture
    {
        protected override SandboxClusterOptions Options => base.Options with { ServeClusterNetwork = true };
    }
}
