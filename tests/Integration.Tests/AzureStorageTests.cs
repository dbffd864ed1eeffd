using Azure.Data.Tables;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Watchers.Crds;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Grain state and membership in Azure Table storage on a real Azurite: two real silo processes are killed together,
/// the clusters change while no silo runs, and silos started again on the same store converge from their state.
/// </summary>
public sealed class AzureStorageTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-azure-tests", Guid.NewGuid().ToString("N"));
    private AzuriteServer _azurite = null!;
    private EmbeddedEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _environment = await EmbeddedEnvironment.StartAsync(["cluster-1", "cluster-2", "cluster-3"], _directory,
            options: new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromSeconds(1), PodReadyDelay = TimeSpan.FromMilliseconds(100) });
    }

    public async Task DisposeAsync()
    {
        await _environment.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task State_in_Azure_Table_survives_a_restart_of_every_silo_and_changes_made_while_down_converge()
    {
        var clusterId = $"azure-{Guid.NewGuid():N}";
        var store = new Dictionary<string, string> { ["Orleans__AzureStorage"] = _azurite.ConnectionString };
        var silo1 = await SiloProcess.StartAsync("silo-1", "default", _environment.ControlPlaneKubeconfig, clusterId, store);
        var silo2 = await SiloProcess.StartAsync("silo-2", "default", _environment.ControlPlaneKubeconfig, clusterId, store);
        using var c1 = _environment.Client("cluster-1");
        using var c2 = _environment.Client("cluster-2");
        using var c3 = _environment.Client("cluster-3");
        await Workloads.DeployAsync(c1, "restart", "kept");
        await Workloads.DeployAsync(c1, "restart", "dropped");
        await Workloads.ExportAsync(c1, "restart", "kept");
        await Workloads.ExportAsync(c1, "restart", "dropped");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "restart", "kept") is not null
            && await Manifests.GetImportAsync(c3, "restart", "dropped") is not null, "both imported");
        var written = await Eventually.Until(() => Manifests.GetImportAsync(c2, "restart", "kept"),
            i => i?.Metadata.Annotations?.ContainsKey(ServiceImportResource.SpecHashAnnotation) == true
                && i.Spec.Ports?.SingleOrDefault()?.Endpoints?.Count == 1, "kept import written");

        // No policy, nothing marked: the routing is the spec's default, and status.routing stays absent.
        Assert.Null(written!.Status?.Routing);
        var keptHash = written!.Metadata.Annotations[ServiceImportResource.SpecHashAnnotation];

        // The grain state is in the emulator's table, not in a silo's memory.
        var grainRows = await new TableServiceClient(_azurite.ConnectionString).GetTableClient("OrleansGrainState").QueryAsync<TableEntity>().CountAsync();
        Assert.True(grainRows > 0, "grain state rows in Azure Table storage");

        // Every silo dies at once (kill -9); meanwhile one export is deleted and another one is created.
        await silo1.KillAsync();
        await silo2.KillAsync();
        await silo1.DisposeAsync();
        await silo2.DisposeAsync();
        await Manifests.DeleteExportAsync(c1, "restart", "dropped");
        await Workloads.DeployAsync(c3, "restart", "while-down");
        await Workloads.ExportAsync(c3, "restart", "while-down");

        await using var again1 = await SiloProcess.StartAsync("silo-1", "default", _environment.ControlPlaneKubeconfig, clusterId, store);
        await using var again2 = await SiloProcess.StartAsync("silo-2", "default", _environment.ControlPlaneKubeconfig, clusterId, store);

        // Converges: the export deleted while down is withdrawn from every member, the one created while down is
        // imported into every member, and the kept one is still there, from the persisted state.
        foreach (var member in new[] { c1, c2, c3 })
        {
            await Eventually.Until(async () => await Manifests.GetImportAsync(member, "restart", "dropped") is null, "import of the export deleted while down is gone", TimeSpan.FromSeconds(120));
            await Eventually.Until(() => Manifests.GetImportAsync(member, "restart", "while-down"), i => i is not null, "export created while down is imported", TimeSpan.FromSeconds(120));
            var kept = await Manifests.GetImportAsync(member, "restart", "kept");
            Assert.NotNull(kept);
            Assert.Equal(["default/default/default/cluster-1"], Manifests.EndpointClusters(kept));
        }

        // The state read back carried the kept import through the restart: the same contributor, and its spec unchanged.
        await using var client = await StoreClient.ConnectAsync(_azurite.ConnectionString, clusterId);
        var contributors = await Eventually.Until(() => client.Client.GetGrain<IServiceImportGrain>("restart/kept").GetContributors(), c => c.Length == 1, "kept import's contributors");
        Assert.Equal(["default/default/default/cluster-1"], contributors.ToArray());
        Assert.Equal(keptHash, (await Manifests.GetImportAsync(c2, "restart", "kept"))!.Metadata.Annotations[ServiceImportResource.SpecHashAnnotation]);
    }
}
