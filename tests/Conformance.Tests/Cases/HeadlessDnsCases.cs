using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Objects;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>headless_service_dns.go: D04–D06; the Service is headless and the backends run 2 replicas.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class HeadlessDnsCases(ConformanceSystem system)
{
    private const int Replicas = 2;

    [Fact]
    public async Task D04_A_DNS_query_of_the_clusterset_local_domain_for_a_headless_service_should_return_the_ready_endpoint_addresses_of_all_the_backing_pods()
    {
        var t = Headless();
        await system.RunAsync(Catalog.D04, t, async () =>
        {
            foreach (var client in t.Clients)
            {
                foreach (var family in await t.AwaitServiceImportIpFamiliesAsync(client))
                {
                    string[] command = ["sh", "-c", $"nslookup -type={IpFamilies.DnsRecordTypeOf(family)} {t.HelloServiceName}.{t.Namespace}.svc.{system.DnsDomain}."];
                    var addresses = (await t.AwaitK8sEndpointsAsync(t.Clients[0], IpFamilies.AddressTypeOf(family))).Select(e => e.Address).ToList();
                    await t.AwaitCmdOutputMatchesAsync(client, command, o => NslookupAddresses.Have(o, addresses), $"have addresses [{string.Join(", ", addresses)}]", 1);
                }
            }
        });
    }

    [Fact]
    public async Task D05_A_DNS_query_of_the_hostname_clusterid_service_domain_for_a_headless_StatefulSet_service_should_return_the_requested_pods_endpoint_address()
    {
        var t = Headless();
        t.HelloDeployment = null;
        t.JustBeforeEach.Add(async () => await t.Clients[0].CreateAsync(HelloObjects.StatefulSet(Replicas), t.Namespace));
        await system.RunAsync(Catalog.D05, t, async () =>
        {
            foreach (var client in t.Clients)
            {
                foreach (var family in await t.AwaitServiceImportIpFamiliesAsync(client))
                {
                    var eps = await t.AwaitMcsEndpointSliceAsync(client, IpFamilies.AddressTypeOf(family), slice =>
                    {
                        var endpoints = slice["endpoints"]!.AsArray();
                        Assert.True(endpoints.Count == Replicas, $"the MCS EndpointSlice \"{slice["metadata"]!["name"]}\" does not contain the expected number of endpoints {Replicas}");
                        foreach (var ep in endpoints)
                        {
                            Assert.True(ep!["conditions"]?["ready"]?.GetValue<bool>() ?? true, $"the endpoint address {ep["addresses"]?.ToJsonString()} in the MCS EndpointSlice is not ready");
                            Assert.False(string.IsNullOrEmpty(ep["hostname"]?.GetValue<string>()), $"the hostname field for endpoint address {ep["addresses"]?.ToJsonString()} in the MCS EndpointSlice is not set");
                        }
                    }, $"an MCS EndpointSlice was not found on cluster \"{client.Name}\"");

                    var clusterId = eps["metadata"]!["labels"]![McsResources.LabelSourceCluster]!.GetValue<string>();
                    foreach (var ep in eps["endpoints"]!.AsArray())
                    {
                        var hostname = ep!["hostname"]?.GetValue<string>() ?? "";
                        var addresses = ep["addresses"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
                        // The trailing dot keeps the search domains out.
                        string[] command = ["sh", "-c", $"nslookup -type={IpFamilies.DnsRecordTypeOf(family)} {hostname}.{clusterId}.{t.HelloServiceName}.{t.Namespace}.svc.{system.DnsDomain}."];
                        await t.AwaitCmdOutputMatchesAsync(client, command, o => NslookupAddresses.Have(o, addresses), $"have addresses [{string.Join(", ", addresses)}]", 1);
                    }
                }
            }
        });
    }

    [Fact]
    public async Task D06_A_DNS_SRV_query_of_the_clusterset_local_domain_for_a_headless_service_should_return_valid_SRV_records()
    {
        var t = Headless();
        await system.RunAsync(Catalog.D06, t, async () =>
        {
            // Endpoints of every family of the Service (dual-stack).
            var all = new List<EndpointInfo>();
            foreach (var family in t.HelloService["spec"]!["ipFamilies"]!.AsArray().Select(f => f!.GetValue<string>()))
            {
                all.AddRange(await t.AwaitK8sEndpointsAsync(t.Clients[0], IpFamilies.AddressTypeOf(family)));
            }

            var domainName = $"{t.HelloServiceName}.{t.Namespace}.svc.{system.DnsDomain}";
            foreach (var client in t.Clients)
            {
                var records = await t.ExpectSrvRecordsAsync(client, domainName, all.Count);
                foreach (var ep in all)
                {
                    var record = records.FirstOrDefault(r => r.DomainName.StartsWith(ep.HostName, StringComparison.Ordinal));
                    Assert.True(record is not null, $"SRV record for endpoint host name \"{ep.HostName}\" not received. Actual records received: [{string.Join("; ", records)}]");
                    Assert.Equal(t.HelloService["spec"]!["ports"]![0]!["port"]!.GetValue<int>(), record.Port);
                }
            }
        });
    }

    private TestDriver Headless()
    {
        var t = system.NewDriver();
        t.HelloService["spec"]!["clusterIP"] = "None";
        t.HelloDeployment!["spec"]!["replicas"] = Replicas;
        return t;
    }
}
