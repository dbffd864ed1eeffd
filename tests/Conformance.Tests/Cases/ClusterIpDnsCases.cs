using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>clusterip_service_dns.go: D01–D03, asked with BIND's nslookup in each cluster's request pod.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class ClusterIpDnsCases(ConformanceSystem system)
{
    [Fact]
    public async Task D01_A_DNS_lookup_of_the_clusterset_local_domain_for_a_ClusterIP_service_should_resolve_to_the_clusterset_IP()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.D01, t, async () =>
        {
            foreach (var client in t.Clients)
            {
                var si = await t.AwaitServiceImportAsync(client, t.HelloServiceName, si =>
                    Assert.True((si["spec"]?["ips"]?.AsArray().Count ?? 0) > 0, $"ServiceImport on cluster \"{client.Name}\" does not contain an IP"));
                foreach (var ip in si["spec"]!["ips"]!.AsArray().Select(i => i!.GetValue<string>()))
                {
                    string[] command = ["sh", "-c", $"nslookup -type={IpFamilies.DnsRecordTypeOf(IpFamilies.Of(ip))} {t.HelloServiceName}.{t.Namespace}.svc.{system.DnsDomain}."];
                    await t.AwaitCmdOutputContainsAsync(client, command, ip, 1);
                }
            }
        });
    }

    [Fact]
    public async Task D02_A_DNS_SRV_query_of_the_clusterset_local_domain_for_a_ClusterIP_service_should_return_valid_SRV_records()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.D02, t, async () =>
        {
            var domainName = $"{t.HelloServiceName}.{t.Namespace}.svc.{system.DnsDomain}";
            foreach (var client in t.Clients)
            {
                SrvRecord[] expected = [new(t.HelloService["spec"]!["ports"]![0]!["port"]!.GetValue<int>(), domainName)];
                var records = await t.ExpectSrvRecordsAsync(client, domainName, expected.Length);
                Assert.True(records.SequenceEqual(expected), $"Received SRV records [{string.Join("; ", records)}] do not match the expected records [{string.Join("; ", expected)}]");
            }
        });
    }

    [Fact]
    public async Task D03_DNS_lookups_of_the_cluster_local_domain_for_a_ClusterIP_service_should_only_resolve_local_services()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.D03, t, async () =>
        {
            var client = t.Clients[0];
            var resolvedIp = await Gomega.Eventually(
                async () =>
                {
                    var ip = (await client.GetAsync("service", t.HelloServiceName, t.Namespace))?["spec"]?["clusterIP"]?.GetValue<string>();
                    Assert.False(string.IsNullOrEmpty(ip), "The service was not assigned a cluster IP");
                    return ip!;
                },
                TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1), "the local Service's cluster IP");

            // The trailing dot keeps the search domains out.
            string[] command = ["sh", "-c", $"nslookup -type={IpFamilies.DnsRecordTypeOf(IpFamilies.Of(resolvedIp))} {t.HelloServiceName}.{t.Namespace}.svc.cluster.local."];
            await t.AwaitCmdOutputContainsAsync(client, command, resolvedIp, 1);
        });
    }
}
