using System.Text.Json.Nodes;
using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Objects;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>service_import.go: C01–C15.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class ServiceImportCases(ConformanceSystem system)
{
    private const string Name = HelloObjects.HelloServiceName;

    [Fact]
    public async Task C01_A_ServiceImport_should_only_exist_as_long_as_there_is_at_least_one_exporting_cluster()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.C01, t, async () =>
        {
            Assert.True(t.Clients.Count >= 2, "This test requires at least 2 clusters");
            await t.AwaitServiceImportAsync(t.Clients[0], t.HelloServiceName);

            await t.DeployHelloServiceAsync(t.Clients[1], HelloObjects.Service());
            await t.CreateServiceExportAsync(t.Clients[1], HelloObjects.ServiceExport());

            // A sanity check, and a wait for the second export: nothing else tells when it has been taken in.
            await t.EnsureServiceImportAsync(t.Clients[0], t.HelloServiceName,
                $"the ServiceImport no longer exists after exporting on cluster \"{t.Clients[1].Name}\"");

            await t.DeleteServiceExportAsync(t.Clients[0]);
            await t.EnsureServiceImportAsync(t.Clients[0], t.HelloServiceName,
                $"the ServiceImport no longer exists after unexporting the service on cluster \"{t.Clients[0].Name}\" while still exported on cluster \"{t.Clients[1].Name}\"");

            await t.DeleteServiceExportAsync(t.Clients[1]);
            await t.AwaitNoServiceImportAsync(t.Clients[0], Name, "the ServiceImport still exists after unexporting the service on all clusters");
        });
    }

    [Fact]
    public async Task C02_Only_labels_and_annotations_specified_as_exported_in_the_ServiceExport_should_be_propagated_to_the_ServiceImport()
    {
        var t = system.NewDriver();
        t.HelloServiceExport["spec"] = ExportedMetadata("dummy-annotation", "dummy-label");
        await system.RunAsync(Catalog.C02, t, async () =>
        {
            await t.AwaitServiceImportAsync(t.Clients[0], Name, si =>
            {
                AssertHasKeyValues(si["metadata"]?["annotations"], t.HelloServiceExport["spec"]!["exportedAnnotations"]!);
                AssertNotHasKeyValues(si["metadata"]?["annotations"], t.HelloService["metadata"]!["annotations"]!);
                AssertHasKeyValues(si["metadata"]?["labels"], t.HelloServiceExport["spec"]!["exportedLabels"]!);
                AssertNotHasKeyValues(si["metadata"]?["labels"], t.HelloService["metadata"]!["labels"]!);
            });
        });
    }

    [Fact]
    public async Task C03_A_service_exported_on_two_clusters_with_conflicting_annotations_and_labels_should_report_a_Conflict_condition_on_each_ServiceExport()
    {
        var t = system.NewDriver();
        var tt = new TwoClusterTestDriver(t);
        t.HelloServiceExport["spec"] = ExportedMetadata("dummy-annotation", "dummy-label");
        tt.HelloServiceExport2["spec"] = ExportedMetadata("dummy-annotation2", "dummy-label2");
        await system.RunAsync(Catalog.C03, t, async () =>
        {
            await t.AwaitServiceExportConditionAsync(t.Clients[0], "Conflict", "True");
            await t.AwaitServiceExportConditionAsync(t.Clients[1], "Conflict", "True");
            await t.AwaitServiceImportAsync(t.Clients[0], t.HelloServiceName, si =>
            {
                AssertHasKeyValues(si["metadata"]?["annotations"], t.HelloServiceExport["spec"]!["exportedAnnotations"]!);
                AssertNotHasKeyValues(si["metadata"]?["annotations"], tt.HelloServiceExport2["spec"]!["exportedAnnotations"]!);
                AssertHasKeyValues(si["metadata"]?["labels"], t.HelloServiceExport["spec"]!["exportedLabels"]!);
                AssertNotHasKeyValues(si["metadata"]?["labels"], tt.HelloServiceExport2["spec"]!["exportedLabels"]!);
            });
        });
    }

    [Fact]
    public async Task C04_Exporting_a_ClusterIP_service_should_create_a_ClusterSetIP_ServiceImport_in_each_cluster_and_unexporting_should_delete_it()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.C04, t, async () =>
        {
            await t.AwaitServiceExportConditionAsync(t.Clients[0], "Valid", "True");
            foreach (var client in t.Clients)
            {
                var si = await t.AwaitServiceImportAsync(client, Name);
                Assert.True(si["spec"]?["type"]?.GetValue<string>() == "ClusterSetIP", $"ServiceImport on cluster \"{client.Name}\" has type \"{si["spec"]?["type"]}\"");
            }

            await t.DeleteServiceExportAsync(t.Clients[0]);
            foreach (var client in t.Clients)
            {
                await t.AwaitNoServiceImportAsync(client, Name, $"the ServiceImport still exists on cluster \"{client.Name}\" after unexporting the service");
            }
        });
    }

    [Fact]
    public async Task C05_The_SessionAffinity_for_a_ClusterSetIP_ServiceImport_should_match_the_exported_services_SessionAffinity()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.C05, t, async () =>
        {
            await t.AwaitServiceImportAsync(t.Clients[0], Name, si =>
            {
                Assert.Equal(t.HelloService["spec"]!["sessionAffinity"]?.GetValue<string>(), si["spec"]?["sessionAffinity"]?.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(t.HelloService["spec"]!["sessionAffinityConfig"], si["spec"]?["sessionAffinityConfig"]),
                    "The SessionAffinityConfig of the ServiceImport does not match the exported Service's SessionAffinityConfig");
            });
        });
    }

    [Fact]
    public async Task C06_The_InternalTrafficPolicy_for_a_ClusterSetIP_ServiceImport_should_match_the_exported_services_InternalTrafficPolicy()
    {
        var t = system.NewDriver();
        t.HelloService["spec"]!["internalTrafficPolicy"] = "Cluster";
        await system.RunAsync(Catalog.C06, t, async () =>
        {
            await t.AwaitServiceImportAsync(t.Clients[0], Name, si => Assert.True(
                t.HelloService["spec"]!["internalTrafficPolicy"]?.GetValue<string>() == si["spec"]?["internalTrafficPolicy"]?.GetValue<string>(),
                "The InternalTrafficPolicy of the ServiceImport does not match the exported Service's InternalTrafficPolicy"));
        });
    }

    [Fact]
    public async Task C07_The_TrafficDistribution_for_a_ClusterSetIP_ServiceImport_should_match_the_exported_services_TrafficDistribution()
    {
        var t = system.NewDriver();
        t.HelloService["spec"]!["trafficDistribution"] = "PreferClose";
        await system.RunAsync(Catalog.C07, t, async () =>
        {
            await t.AwaitServiceImportAsync(t.Clients[0], Name, si => Assert.True(
                t.HelloService["spec"]!["trafficDistribution"]?.GetValue<string>() == si["spec"]?["trafficDistribution"]?.GetValue<string>(),
                "The TrafficDistribution of the ServiceImport does not match the exported Service's TrafficDistribution"));
        });
    }

    [Fact]
    public async Task C08_An_IP_should_be_allocated_for_a_ClusterSetIP_ServiceImport_for_each_IP_family()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.C08, t, async () =>
        {
            var si = await t.AwaitServiceImportAsync(t.Clients[0], t.HelloServiceName, si => Assert.NotEmpty(si["spec"]?["ips"]?.AsArray() ?? []));
            var ips = si["spec"]!["ips"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
            var families = (si["spec"]!["ipFamilies"]?.AsArray() ?? []).Select(f => f!.GetValue<string>()).ToList();
            Assert.True(ips.Count == families.Count, "The ServiceImport IPs field must have the same number of IPs as ServiceImport IPFamilies");

            // Valid IPs, in the order of ipFamilies.
            for (var i = 0; i < ips.Count; i++)
            {
                Assert.True(families[i] == IpFamilies.Of(ips[i]),
                    $"The IP family of ServiceImport.Spec.IPs[{i}] (\"{ips[i]}\") must match ServiceImport.Spec.IPFamilies[{i}] (\"{families[i]}\")");
            }
        });
    }

    [Fact]
    public async Task C09_The_ports_for_a_ClusterSetIP_ServiceImport_should_match_those_of_the_exported_service()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.C09, t, async () =>
        {
            await t.AwaitServiceImportAsync(t.Clients[0], Name, si =>
                Assert.Equal(McsPort.FromArray(t.HelloService["spec"]!["ports"]), McsPort.FromArray(si["spec"]?["ports"])));
        });
    }

    [Fact]
    public async Task C10_A_ClusterIP_service_exported_on_two_clusters_should_expose_the_union_of_the_constituent_service_ports_and_raise_a_conflict()
    {
        var t = system.NewDriver();
        var tt = new TwoClusterTestDriver(t);
        tt.HelloService2["spec"]!["ports"] = new JsonArray(t.HelloService["spec"]!["ports"]![0]!.DeepClone(), HelloObjects.Port("stcp", 142, "SCTP"));
        await system.RunAsync(Catalog.C10, t, async () =>
        {
            await t.AwaitServiceExportConditionAsync(t.Clients[0], "Conflict", "True");
            await t.AwaitServiceExportConditionAsync(t.Clients[1], "Conflict", "True");
            var union = McsPort.Sort([.. McsPort.FromArray(t.HelloService["spec"]!["ports"]), McsPort.From(tt.HelloService2["spec"]!["ports"]![1]!)]);
            await t.AwaitServiceImportAsync(t.Clients[0], t.HelloServiceName, si => Assert.Equal(union, McsPort.FromArray(si["spec"]?["ports"])));
        });
    }

    [Fact]
    public async Task C11_A_ClusterIP_service_exported_on_two_clusters_with_conflicting_ports_should_report_a_Conflict_condition_on_each_ServiceExport()
    {
        var t = system.NewDriver();
        var tt = new TwoClusterTestDriver(t);
        var port = t.HelloService["spec"]!["ports"]![0]!.DeepClone();
        port["port"] = port["port"]!.GetValue<int>() + 1;
        tt.HelloService2["spec"]!["ports"] = new JsonArray(port);
        await system.RunAsync(Catalog.C11, t, async () =>
        {
            await t.AwaitServiceExportConditionAsync(t.Clients[0], "Conflict", "True");
            await t.AwaitServiceExportConditionAsync(t.Clients[1], "Conflict", "True");
            await t.AwaitServiceImportAsync(t.Clients[0], t.HelloServiceName, si => Assert.True(
                McsPort.FromArray(t.HelloService["spec"]!["ports"]).SequenceEqual(McsPort.FromArray(si["spec"]?["ports"])),
                "The service ports were not resolved correctly"));
        });
    }

    [Fact]
    public async Task C12_Exporting_a_headless_service_should_create_a_Headless_ServiceImport_in_each_cluster_and_unexporting_should_delete_it()
    {
        var t = system.NewDriver();
        t.HelloService["spec"]!["clusterIP"] = "None";
        await system.RunAsync(Catalog.C12, t, async () =>
        {
            foreach (var client in t.Clients)
            {
                var si = await t.AwaitServiceImportAsync(client, Name);
                Assert.True(si["spec"]?["type"]?.GetValue<string>() == "Headless", $"ServiceImport on cluster \"{client.Name}\" has type \"{si["spec"]?["type"]}\"");
            }

            await t.DeleteServiceExportAsync(t.Clients[0]);
            foreach (var client in t.Clients)
            {
                await t.AwaitNoServiceImportAsync(client, Name, $"the ServiceImport still exists on cluster \"{client.Name}\" after unexporting the service");
            }
        });
    }

    [Fact]
    public async Task C13_No_clusterset_IP_should_be_allocated_for_a_Headless_ServiceImport()
    {
        var t = system.NewDriver();
        t.HelloService["spec"]!["clusterIP"] = "None";
        await system.RunAsync(Catalog.C13, t, async () =>
        {
            await t.AwaitServiceImportAsync(t.Clients[0], t.HelloServiceName);
            await Gomega.Consistently(
                async () => Assert.Empty((await t.GetServiceImportAsync(t.Clients[0], t.HelloServiceName))?["spec"]?["ips"]?.AsArray() ?? []),
                TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), "no clusterset IP on the headless import");
        });
    }

    [Fact]
    public async Task C14_Exporting_an_ExternalName_service_should_set_ServiceExport_Valid_condition_to_False()
    {
        var t = system.NewDriver();
        t.HelloService["spec"]!["type"] = "ExternalName";
        t.HelloService["spec"]!["externalName"] = "example.com";
        t.HelloService["spec"]!.AsObject().Remove("ipFamilyPolicy");
        await system.RunAsync(Catalog.C14, t, async () =>
        {
            await t.AwaitServiceExportConditionAsync(t.Clients[0], "Valid", "False");
            await t.EnsureNoServiceImportAsync(t.Clients[0], Name, "the ServiceImport should not exist for an ExternalName service");
        });
    }

    [Fact]
    public async Task C15_A_service_exported_on_two_clusters_with_conflicting_headlessness_should_report_a_Conflict_condition_on_the_ServiceExport()
    {
        var t = system.NewDriver();
        var tt = new TwoClusterTestDriver(t);
        tt.HelloService2["spec"]!["clusterIP"] = "None";
        await system.RunAsync(Catalog.C15, t, async () =>
        {
            await t.AwaitServiceExportConditionAsync(t.Clients[0], "Conflict", "True");
            await t.AwaitServiceExportConditionAsync(t.Clients[1], "Conflict", "True");
            foreach (var client in t.Clients)
            {
                var si = await t.AwaitServiceImportAsync(client, Name);
                Assert.True(si["spec"]?["type"]?.GetValue<string>() == "ClusterSetIP", $"ServiceImport on cluster \"{client.Name}\" has type \"{si["spec"]?["type"]}\"");
            }
        });
    }

    private static JsonObject ExportedMetadata(string annotation, string label) => new()
    {
        ["exportedAnnotations"] = new JsonObject { [annotation] = "true" },
        ["exportedLabels"] = new JsonObject { [label] = "true" },
    };

    private static void AssertHasKeyValues(JsonNode? actual, JsonNode expected)
    {
        foreach (var (key, value) in expected.AsObject())
        {
            Assert.True(actual?[key]?.GetValue<string>() == value!.GetValue<string>(), $"expected {key}={value} in {actual?.ToJsonString() ?? "{}"}");
        }
    }

    private static void AssertNotHasKeyValues(JsonNode? actual, JsonNode expected)
    {
        foreach (var (key, value) in expected.AsObject())
        {
            Assert.False(actual?[key]?.GetValue<string>() == value!.GetValue<string>(), $"expected no {key}={value} in {actual?.ToJsonString() ?? "{}"}");
        }
    }
}
