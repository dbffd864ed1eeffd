using ErieCanal.Orleans.Conformance.Tests.Harness;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Cases;

/// <summary>endpoint_slice.go: C16 (the suite's --skip-verify-eps-managed-by is off).</summary>
[Collection(ConformanceCollection.Name)]
public sealed class EndpointSliceCases(ConformanceSystem system)
{
    [Fact]
    public async Task C16_Exporting_a_service_should_create_an_MCS_EndpointSlice_in_each_cluster_and_unexporting_should_delete_it()
    {
        var t = system.NewDriver();
        await system.RunAsync(Catalog.C16, t, async () =>
        {
            var names = t.Clients.Select(_ => new List<string>()).ToList();
            for (var i = 0; i < t.Clients.Count; i++)
            {
                var client = t.Clients[i];
                foreach (var family in await t.AwaitServiceImportIpFamiliesAsync(client))
                {
                    var eps = await t.AwaitMcsEndpointSliceAsync(client, IpFamilies.AddressTypeOf(family), null,
                        $"an MCS EndpointSlice was not found on cluster \"{client.Name}\". An MCS EndpointSlice is identified by the presence " +
                        $"of the required MCS labels (\"{McsResources.LabelServiceName}\" and \"{McsResources.LabelSourceCluster}\").");
                    var name = eps["metadata"]!["name"]!.GetValue<string>();
                    names[i].Add(name);
                    var labels = eps["metadata"]!["labels"]!.AsObject();

                    Assert.True(labels[McsResources.LabelServiceName]?.GetValue<string>() == t.HelloServiceName,
                        $"the MCS EndpointSlice \"{name}\" does not contain the \"{McsResources.LabelServiceName}\" label referencing the service name");
                    Assert.True(labels.ContainsKey(McsResources.LabelManagedBy),
                        $"the MCS EndpointSlice \"{name}\" does not contain the \"{McsResources.LabelManagedBy}\" label");
                    Assert.True(labels[McsResources.LabelManagedBy]?.GetValue<string>() != McsResources.K8sEndpointSliceManagedByName,
                        $"the MCS EndpointSlice's \"{McsResources.LabelManagedBy}\" label must not reference \"{McsResources.K8sEndpointSliceManagedByName}\"");
                }
            }

            await t.DeleteServiceExportAsync(t.Clients[0]);

            for (var i = 0; i < t.Clients.Count; i++)
            {
                var client = t.Clients[i];
                foreach (var name in names[i])
                {
                    await Gomega.Eventually(
                        async () => Assert.True(await client.GetAsync(McsResources.EndpointSlices, name, t.Namespace) is null,
                            $"the EndpointSlice \"{name}\" was not deleted on unexport from cluster \"{client.Name}\""),
                        TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100), $"EndpointSlice {name} deleted on {client.Name}");
                }
            }
        });
    }
}
