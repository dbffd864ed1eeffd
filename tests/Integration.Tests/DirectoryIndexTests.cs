using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>The directory's service index, which every writer's repair reads, heals without anyone calling.</summary>
[Collection(ReconcilerCollection.Name)]
public sealed class DirectoryIndexTests(ReconcilerFixture fixture)
{
    [Fact]
    public async Task A_service_the_directory_index_lost_is_indexed_again_by_its_grain()
    {
        // A second directory activation while a killed silo's grains are placed again can write over an entry the
        // first acknowledged; the service's grain, still active, puts it back within a repair interval.
        const string Ns = "index-loss";
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        await Workloads.DeployAsync(c1, Ns, "web");
        await Workloads.ExportAsync(c1, Ns, "web");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, Ns, "web"), i => i is not null, "imported");

        var directory = fixture.Silos.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);
        var key = ServiceKeys.Service(Ns, "web");

        // The entry removed as a lost write would remove it (a change of the service meanwhile, e.g. its health
        // settling, indexes it again at once, so the removal is repeated until it is seen to hold).
        var version = await Eventually.Until(async () =>
        {
            var known = (await directory.GetServices()).GetValueOrDefault(key);
            await directory.SetServiceVersion(key, 0);
            return (await directory.GetServices()).ContainsKey(key) ? 0 : known;
        }, v => v > 0, "the entry removed");

        await Eventually.Until(async () => (await directory.GetServices()).GetValueOrDefault(key), v => v >= version, "the entry indexed again");
    }
}
