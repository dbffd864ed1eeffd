using System.Text.Json.Nodes;
using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Objects;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>connectivity.go: the service is deployed in clients[0]; every case exports it itself (or not at all).</summary>
[Collection(ConformanceCollection.Name)]
public sealed class ConnectivityCases(ConformanceSystem system)
{
    [Fact]
    public async Task K01_Connectivity_to_a_service_that_is_not_exported_should_be_inaccessible()
    {
        var t = system.NewDriver();
        t.AutoExportService = false;
        await system.RunAsync(Catalog.K01, t, async () =>
        {
            var fqdn = $"{t.HelloServiceName}.{t.Namespace}.svc.{system.DnsDomain}";

            // All the Service's IP families, from every cluster, 20 times each.
            foreach (var family in t.HelloService["spec"]!["ipFamilies"]!.AsArray().Select(f => f!.GetValue<string>()))
            {
                string[] command = ["sh", "-c", NcCommand.For(family, fqdn, 42)];
                foreach (var client in t.Clients)
                {
                    for (var i = 0; i < 20; i++)
                    {
                        var output = await t.ExecCmdOnRequestPodAsync(client, command);
                        Assert.DoesNotContain("pod ip", output, StringComparison.Ordinal);
                    }
                }
            }
        });
    }

    [Fact]
    public async Task K02_Connectivity_to_an_exported_ClusterIP_service_should_be_accessible_through_DNS()
    {
        var t = system.NewDriver();
        t.AutoExportService = false;
        await system.RunAsync(Catalog.K02, t, async () =>
        {
            // On the "remote" cluster.
            await t.CreateServiceExportAsync(t.Clients[0], HelloObjects.ServiceExport());
            await t.ExecPortConnectivityCommandAsync(42, "pod ip", 1, system.DnsDomain);
        });
    }

    [Fact]
    public async Task K03_Connectivity_to_a_ClusterIP_service_existing_in_two_clusters_but_exported_from_one_should_only_access_the_exporting_cluster()
    {
        var t = system.NewDriver();
        t.AutoExportService = false;
        t.JustBeforeEach.Add(async () => await t.DeployHelloServiceAsync(t.Clients[1], HelloObjects.Service()));
        await system.RunAsync(Catalog.K03, t, async () =>
        {
            await t.CreateServiceExportAsync(t.Clients[0], HelloObjects.ServiceExport());
            var servicePodIp = await t.AwaitServicePodIpAsync(t.Clients[0]);
            await t.ExecPortConnectivityCommandAsync(42, servicePodIp, 10, system.DnsDomain);
        });
    }

    [Fact]
    public async Task K04_Connectivity_to_exported_services_with_same_port_name_but_different_port_numbers_on_each_cluster_should_only_route_traffic_to_the_cluster_that_exposes_the_port()
    {
        var t = system.NewDriver();
        var tt = new TwoClusterTestDriver(t);
        tt.HelloService2["spec"]!["ports"] = new JsonArray(HelloObjects.Port("tcp", 4242, "TCP", 42));
        await system.RunAsync(Catalog.K04, t, async () =>
        {
            var servicePodIp = await t.AwaitServicePodIpAsync(t.Clients[0]);
            await t.ExecPortConnectivityCommandAsync(42, servicePodIp, 10, system.DnsDomain);
        });
    }

    [Fact]
    public async Task K05_Connectivity_to_exported_services_with_different_port_name_on_each_cluster_should_route_traffic_to_each_port_only_to_the_cluster_that_exposes_it()
    {
        var t = system.NewDriver();
        var tt = new TwoClusterTestDriver(t);
        tt.HelloService2["spec"]!["ports"] = new JsonArray(HelloObjects.Port("tcp2", 4242, "TCP", 42));
        await system.RunAsync(Catalog.K05, t, async () =>
        {
            var cluster1PodIp = await t.AwaitServicePodIpAsync(t.Clients[0]);
            var cluster2PodIp = await t.AwaitServicePodIpAsync(t.Clients[1]);
            await t.ExecPortConnectivityCommandAsync(42, cluster1PodIp, 10, system.DnsDomain);
            await t.ExecPortConnectivityCommandAsync(4242, cluster2PodIp, 10, system.DnsDomain);
        });
    }
}
