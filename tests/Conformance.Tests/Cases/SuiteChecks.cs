using ErieCanal.Orleans.Conformance.Tests.Harness;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>conformance_suite.go BeforeSuite: every context lists ServiceExports and ServiceImports (v1beta1) in all namespaces.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class SuiteChecks(ConformanceSystem system)
{
    [Fact]
    public async Task The_MCS_API_is_installed_in_every_cluster()
    {
        foreach (var client in system.Clients)
        {
            foreach (var resource in new[] { McsResources.ServiceExports, McsResources.ServiceImports })
            {
                var result = await client.RunAsync("get", resource, "--all-namespaces", "-o", "json");
                Assert.True(result.Succeeded, $"error listing {resource} on context {client.Name}: {result.Stderr.Trim()}. Is the MCS API installed?");
            }
        }
    }
}
