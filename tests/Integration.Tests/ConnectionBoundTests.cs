using System.Text;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// A slow member under a burst of export creates and changes keeps the connections to its API port: each silo's
/// clients of the member (session watches, writers, export grains, probes) share one HTTP/2 connection, and the load
/// adds none. Counted by the sandbox's API port, connection by connection. Own sandbox: this slows a member down.
/// </summary>
public sealed class ConnectionBoundTests(ReconcilerFixture fixture, ITestOutputHelper output) : IClassFixture<ReconcilerFixture>
{
    private const int Exports = 20;

    [Fact]
    public async Task A_slow_member_under_export_load_keeps_one_connection_per_silo()
    {
        const string ns = "conn-bound";
        var member = fixture.Member("cluster-1");
        using var c2 = fixture.Client("cluster-2");

        // The test's own client: at most two connections of its own, so what is counted beyond them is the system's.
        using var writer = BoundedClient(member.Kubeconfig(), connections: 2);
        await Workloads.EnsureNamespaceAsync(writer, ns);
        await Eventually.Until(() => member.Connections.OpenHttp2 == fixture.Silos.Silos.Count, "each silo connected to the member over HTTP/2");

        member.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var before = member.Connections.Open;
        member.Connections.ResetPeak();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Exports).Select(async i =>
            {
                await Workloads.CreateServiceAsync(writer, ns, $"svc-{i}");
                await Workloads.ExportAsync(writer, ns, $"svc-{i}");
            }));
            await Eventually.Until(async () => await CountImportsAsync(c2, ns, 8080) == Exports, $"{Exports} exports imported into cluster-2");

            // Every Service changes its port: every export's observation, contribution and import changes again.
            await Task.WhenAll(Enumerable.Range(0, Exports).Select(i => writer.CoreV1.PatchNamespacedServiceAsync(
                new V1Patch("{\"spec\":{\"ports\":[{\"port\":9090,\"targetPort\":9090,\"protocol\":\"TCP\"}]}}", V1Patch.PatchType.MergePatch), $"svc-{i}", ns)));
            await Eventually.Until(async () => await CountImportsAsync(c2, ns, 9090) == Exports, $"{Exports} changed imports in cluster-2");
        }
        finally
        {
            member.Faults.Latency = TimeSpan.Zero;
        }

        output.WriteLine($"cluster-1's API port: {before} connections open before the load, at most {member.Connections.Peak} during it, of them HTTP/2 at most {member.Connections.PeakHttp2}");
        Assert.Equal(fixture.Silos.Silos.Count, member.Connections.PeakHttp2);

        // The data plane's HTTP/1.1 watches were open before; the load adds at most the test client's two (and one
        // for a watch being replaced as it times out).
        Assert.InRange(member.Connections.Peak, before, before + 3);
    }

    private static Kubernetes BoundedClient(string kubeconfig, int connections)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
        config.FirstMessageHandlerSetup = handler => handler.MaxConnectionsPerServer = connections;
        return new Kubernetes(config);
    }

    private static async Task<int> CountImportsAsync(IKubernetes client, string ns, int port)
    {
        var count = 0;
        for (var i = 0; i < Exports; i++)
        {
            if (await Manifests.GetImportAsync(client, ns, $"svc-{i}") is { } import && import.Spec?.Ports?.Any(p => p.Port == port) == true)
            {
                count++;
            }
        }

        return count;
    }
}
