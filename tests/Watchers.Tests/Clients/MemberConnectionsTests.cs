using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Clients;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Clients;

/// <summary>
/// Every client of a member shares one pool: its watches and a burst of concurrent requests to a slow member cost
/// one HTTP/2 connection, or on a member without HTTP/2 a bounded HTTP/1.1 pool beside one connection per watch.
/// Counted by the sandbox's API port, connection by connection.
/// </summary>
public sealed class MemberConnectionsTests
{
    private const int Watches = 6;
    private const int Requests = 40;

    [Fact]
    public async Task Watches_and_concurrent_requests_to_a_slow_member_share_one_http2_connection()
    {
        await using var host = await SandboxHost.StartAsync(["test"], new SandboxClusterOptions(), controlPort: 0);
        var member = host["test"];
        using var connections = new MemberConnections(new MemberConnectionOptions());

        await LoadAsync(member, connections);

        Assert.Equal(1, member.Connections.Peak);
        Assert.Equal(1, member.Connections.PeakHttp2);
    }

    [Fact]
    public async Task A_member_without_http2_gets_a_bounded_pool_for_requests_and_a_lane_for_watches()
    {
        await using var host = await SandboxHost.StartAsync(["test"], new SandboxClusterOptions { Http2 = false }, controlPort: 0);
        var member = host["test"];
        var options = new MemberConnectionOptions { Http1RequestConnections = 3 };
        using var connections = new MemberConnections(options);

        await LoadAsync(member, connections);

        // The protocol probe's connection (its HTTP/2 preface was refused) may still be closing when counted.
        Assert.InRange(member.Connections.Peak, Watches + 1, Watches + options.Http1RequestConnections + 1);
        Assert.Equal(0, member.Connections.PeakHttp2);
    }

    [Fact]
    public async Task The_pool_closes_with_the_last_client_of_its_kubeconfig()
    {
        await using var host = await SandboxHost.StartAsync(["test"], new SandboxClusterOptions(), controlPort: 0);
        var member = host["test"];
        using var connections = new MemberConnections(new MemberConnectionOptions());
        var first = connections.Load(member.Kubeconfig(), TimeSpan.FromSeconds(10), allowExec: false);
        var second = connections.Load(member.Kubeconfig(), TimeSpan.FromSeconds(10), allowExec: false);
        await first.CoreV1.ListNamespaceAsync();
        await second.CoreV1.ListNamespaceAsync();
        Assert.Equal(1, connections.OpenPools);

        first.Dispose();
        await second.CoreV1.ListNamespaceAsync();
        Assert.Equal(1, connections.OpenPools);

        second.Dispose();
        Assert.Equal(0, connections.OpenPools);
        await Eventually.Until(() => member.Connections.Open == 0, "the member's connection closed");
    }

    /// <summary>
    /// Three clients (as a session, a writer and a prober hold) keep <see cref="Watches"/> watches open and send
    /// <see cref="Requests"/> creates at once while every request takes 200 ms.
    /// </summary>
    private static async Task LoadAsync(SandboxCluster member, MemberConnections connections)
    {
        var clients = Enumerable.Range(0, 3).Select(_ => connections.Load(member.Kubeconfig(), TimeSpan.FromSeconds(30), allowExec: false)).ToList();
        using var stop = new CancellationTokenSource();
        try
        {
            await clients[0].CoreV1.ListNamespaceAsync();
            member.Faults.Latency = TimeSpan.FromMilliseconds(200);
            member.Connections.ResetPeak();
            // KubernetesClient answers a watch once its first event arrived: namespaces exist from the start.
            var watches = await Task.WhenAll(Enumerable.Range(0, Watches).Select(i =>
                clients[i % clients.Count].CoreV1.ListNamespaceWithHttpMessagesAsync(watch: true, cancellationToken: stop.Token)));
            try
            {
                await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => clients[i % clients.Count].CoreV1.CreateNamespacedConfigMapAsync(
                    new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"load-{i}" }, Data = new Dictionary<string, string> { ["i"] = $"{i}" } }, "default")));
                Assert.Equal(Requests, (await clients[1].CoreV1.ListNamespacedConfigMapAsync("default")).Items.Count(c => c.Name().StartsWith("load-", StringComparison.Ordinal)));
            }
            finally
            {
                foreach (var watch in watches)
                {
                    watch.Dispose();
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            member.Faults.Latency = TimeSpan.Zero;
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
