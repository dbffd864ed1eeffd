using ErieCanal.Orleans.Conformance.Tests.Objects;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// The harness against the embedded system, before any MCS case: the driver's set-up (without the export, which
/// needs the MCS API) makes the namespace in every cluster, the suite's hello Service in clients[0] and a Running
/// request pod everywhere, all through kubectl contexts; its clean-up deletes the namespace everywhere.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class SystemTests(ConformanceSystem system)
{
    [Fact]
    public async Task The_driver_sets_up_and_cleans_up_a_fresh_namespace_in_every_cluster()
    {
        var t = system.NewDriver();
        t.AutoExportService = false;
        Assert.Matches("^mcs-conformance-[0-9]+$", t.Namespace);
        try
        {
            await t.SetUpAsync();

            var spec = t.HelloService["spec"]!;
            Assert.Equal("ClientIP", spec["sessionAffinity"]!.GetValue<string>());
            Assert.Equal(10, spec["sessionAffinityConfig"]!["clientIP"]!["timeoutSeconds"]!.GetValue<int>());
            Assert.Equal("PreferDualStack", spec["ipFamilyPolicy"]!.GetValue<string>());
            Assert.Equal("dummy", t.HelloService["metadata"]!["annotations"]!["dummy-svc"]!.GetValue<string>());
            foreach (var client in t.Clients)
            {
                Assert.NotNull(await client.GetAsync("pod", HelloObjects.RequestPodName, t.Namespace));
            }

            Assert.Null(await t.Clients[1].GetAsync("service", HelloObjects.HelloServiceName, t.Namespace));
        }
        finally
        {
            await t.CleanUpAsync();
        }

        foreach (var client in t.Clients)
        {
            await Gomega.Eventually(
                async () => Assert.Null(await client.GetAsync("namespace", t.Namespace, "default")),
                TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), $"namespace {t.Namespace} gone from {client.Name}");
        }
    }
}
