using System.Text.Json;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;
using k8s;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Cluster identity (KEP-2149) with real silos: every managed member gets its cluster.clusterset.k8s.io
/// ClusterProperty, created by the member engine with the Cluster's name, and the Cluster is told once by an Event.
/// </summary>
[Collection(ReconcilerCollection.Name)]
public sealed class McsIdentityTests(ReconcilerFixture fixture)
{
    [Fact]
    public async Task Every_member_gets_its_cluster_id_property_with_its_cluster_name()
    {
        foreach (var name in new[] { "cluster-1", "cluster-2", "cluster-3" })
        {
            using var member = fixture.Client(name);
            var value = await Eventually.Until(async () =>
            {
                var raw = (JsonElement)await member.CustomObjects.GetClusterCustomObjectAsync(McsNames.AboutGroup, McsNames.AboutVersion, McsNames.ClusterProperties, McsNames.ClusterIdProperty);
                return raw.GetProperty("spec").GetProperty("value").GetString();
            }, v => v is not null, $"{name}'s cluster id property");
            Assert.Equal(name, value);
        }
    }
}
