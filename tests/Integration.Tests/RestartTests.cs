using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>Grain state in a real redis-server, so a restart of every silo converges instead of starting blind.</summary>
public sealed class DurableReconcilerFixture : ReconcilerFixture
{
    private RedisServer? _redis;

    public const string ServiceId = "erie-canal-restart-tests";

    protected override string? Redis => _redis?.ConnectionString;

    /// <summary>The redis-server holding grain state, for tests that reach into the store itself.</summary>
    public string RedisConnectionString => _redis?.ConnectionString ?? throw new InvalidOperationException("not started");

    protected override string? FixedServiceId => ServiceId;

    public override async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

public sealed class RestartTests(DurableReconcilerFixture fixture) : IClassFixture<DurableReconcilerFixture>
{
    [Fact]
    public async Task Exports_deleted_while_every_silo_was_down_are_withdrawn_after_restart()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        await Workloads.DeployAsync(c1, "restart", "kept");
        await Workloads.DeployAsync(c1, "restart", "dropped");
        await Workloads.ExportAsync(c1, "restart", "kept");
        await Workloads.ExportAsync(c1, "restart", "dropped");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "restart", "kept") is not null
            && await Manifests.GetImportAsync(c2, "restart", "dropped") is not null, "both imported");

        // Settled: the endpoint is healthy (pods ready) and that version is what the member holds.
        var settled = await Eventually.Until(() => fixture.Silos.Client.GetGrain<IServiceImportGrain>("restart/kept").GetViewFor("default/default/default/cluster-2"),
            v => v?.Ports.Single().Endpoints.Single().Healthy == true, "kept import settled");
        Assert.NotNull(settled);
        var written = await Eventually.Until(() => Manifests.GetImportAsync(c2, "restart", "kept"),
            i => i?.Metadata.Annotations?.ContainsKey(Watchers.Crds.ServiceImportResource.SpecHashAnnotation) == true, "import written");

        // No policy, nothing marked: the routing is the spec's default, and status.routing stays absent.
        Assert.Null(written!.Status?.Routing);

        // A spec is written only when its content changes (its hash annotation), not on every version.
        var keptHash = written!.Metadata.Annotations[Watchers.Crds.ServiceImportResource.SpecHashAnnotation];
        var keptVersion = written.Metadata.Annotations[Watchers.Crds.ServiceImportResource.VersionAnnotation];
        var keptGeneration = written.Metadata.Generation;

        // Every silo goes down; meanwhile one export is deleted.
        var old = fixture.Silos;
        await old.StopAllSilosAsync();
        await old.DisposeAsync();
        await Manifests.DeleteExportAsync(c1, "restart", "dropped");

        var restarted = await fixture.StartSilosAsync(DurableReconcilerFixture.ServiceId);
        fixture.Silos = restarted;

        // The deletion that happened while nobody watched is found and withdrawn everywhere...
        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "restart", "dropped") is null, "import of the export deleted while down is gone");

        // ...while the persisted state carried the rest through the restart untouched: same contributors, and the
        // surviving import was never rewritten (its spec hash, version and generation are those written before).
        var contributors = await restarted.Client.GetGrain<IServiceImportGrain>("restart/kept").GetContributors();
        Assert.Equal(new[] { "default/default/default/cluster-1" }, contributors.ToArray());
        var kept = await Manifests.GetImportAsync(c2, "restart", "kept");
        Assert.Equal(keptVersion, kept!.Metadata.Annotations[Watchers.Crds.ServiceImportResource.VersionAnnotation]);
        Assert.Equal(keptHash, kept.Metadata.Annotations[Watchers.Crds.ServiceImportResource.SpecHashAnnotation]);
        Assert.Equal(keptGeneration, kept.Metadata.Generation);
    }

    [Fact]
    public async Task Killing_a_silo_moves_its_grains_and_propagation_continues()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, "silo-loss", "before");
        await Workloads.ExportAsync(c1, "silo-loss", "before");
        await Eventually.Until(() => Manifests.GetImportAsync(c3, "silo-loss", "before"), i => i is not null, "imported while both silos run");

        // The secondary silo dies without any goodbye; whatever it hosted (member grains, writers, imports) must
        // come back on the survivor, and grain state in Redis survives it.
        var victim = fixture.Silos.SecondarySilos[0];
        await fixture.Silos.KillSiloAsync(victim);

        await Workloads.DeployAsync(c3, "silo-loss", "after");
        await Workloads.ExportAsync(c3, "silo-loss", "after");
        await Eventually.Until(() => Manifests.GetImportAsync(c1, "silo-loss", "after"), i => i is not null, "an export made after the silo died is imported", TimeSpan.FromSeconds(120));
        await Manifests.DeleteExportAsync(c1, "silo-loss", "before");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c3, "silo-loss", "before") is null, "a withdrawal after the silo died propagates", TimeSpan.FromSeconds(120));
    }
}
