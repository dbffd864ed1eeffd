using System.Net.Http.Json;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Embedded;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Two real silo processes in two regions, clustered through a real redis-server: member grains live in their
/// member's region, and when a silo process dies its members move to the survivor and keep propagating.
/// </summary>
public sealed class ProcessSiloTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-process-tests", Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;
    private EmbeddedEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _environment = await EmbeddedEnvironment.StartAsync(["cluster-1", "cluster-2"], _directory, registerMembers: false);
        await _environment.RegisterAsync("cluster-1", region: "eu");
        await _environment.RegisterAsync("cluster-2", region: "us");
    }

    public async Task DisposeAsync()
    {
        await _environment.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Dictionary<string, string> Redis() => new() { ["Orleans__Redis"] = _redis.ConnectionString };

    [Fact]
    public async Task Silos_in_two_regions_host_their_members_and_survive_losing_one()
    {
        var clusterId = $"process-{Guid.NewGuid():N}";
        await using var eu = await SiloProcess.StartAsync("silo-eu", "eu", _environment.ControlPlaneKubeconfig, clusterId, Redis());
        await using var us = await SiloProcess.StartAsync("silo-us", "us", _environment.ControlPlaneKubeconfig, clusterId, Redis());
        using var euApi = new HttpClient { BaseAddress = eu.Api };
        using var usApi = new HttpClient { BaseAddress = us.Api };

        // Each member's grain runs on the silo of its region (cluster-2's was placed on silo-eu before silo-us joined,
        // and moves home once it has).
        await Eventually.Until(() => usApi.GetFromJsonAsync<ClusterState>("api/v1/clusters/eu/default/default/cluster-1"),
            s => s is { Managed: true, Silo: "silo-eu" }, "cluster-1 managed from the eu silo");
        await Eventually.Until(() => euApi.GetFromJsonAsync<ClusterState>("api/v1/clusters/us/default/default/cluster-2"),
            s => s is { Managed: true, Silo: "silo-us" }, "cluster-2 managed from the us silo");

        using var member1 = _environment.Client("cluster-1");
        using var member2 = _environment.Client("cluster-2");
        await Workloads.DeployAsync(member1, "processes", "before");
        await Workloads.ExportAsync(member1, "processes", "before");
        await Eventually.Until(() => Manifests.GetImportAsync(member2, "processes", "before"), i => i is not null, "imported across processes");

        // The eu silo process dies: cluster-1's grain moves to the us silo and propagation goes on.
        eu.Kill();
        var moved = await Eventually.Until(() => usApi.GetFromJsonAsync<ClusterState>("api/v1/clusters/eu/default/default/cluster-1"),
            s => s is { Managed: true, Silo: "silo-us" }, "cluster-1 managed from the surviving silo", TimeSpan.FromSeconds(120));
        Assert.Equal("silo-us", moved!.Silo);
        await Workloads.DeployAsync(member1, "processes", "after");
        await Workloads.ExportAsync(member1, "processes", "after");
        await Eventually.Until(() => Manifests.GetImportAsync(member2, "processes", "after"), i => i is not null, "an export made after the silo died is imported", TimeSpan.FromSeconds(120));
    }
}
