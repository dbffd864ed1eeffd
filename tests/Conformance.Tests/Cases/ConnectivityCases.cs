using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>connectivity.go: the service is deployed in clients[0] but never exported.</summary>
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
}
