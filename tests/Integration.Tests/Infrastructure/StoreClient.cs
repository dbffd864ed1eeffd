using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// An Orleans client that finds the silo processes through the store's membership table (Azure Table or Redis), as
/// any client of the deployment would: grain calls and the management grain (membership, activations per silo).
/// </summary>
public sealed class StoreClient : IAsyncDisposable
{
    private readonly IHost _host;

    private StoreClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public IManagementGrain Management => Client.GetGrain<IManagementGrain>(0);

    public static Task<StoreClient> ConnectAsync(string azureStorage, string clusterId) =>
        ConnectAsync(new Dictionary<string, string> { ["Orleans__AzureStorage"] = azureStorage }, clusterId);

    /// <summary>Connects through the store the silos' <paramref name="settings"/> name (Orleans__AzureStorage or Orleans__Redis).</summary>
    public static async Task<StoreClient> ConnectAsync(IReadOnlyDictionary<string, string> settings, string clusterId)
    {
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .UseOrleansClient(client =>
            {
                if (settings.TryGetValue("Orleans__AzureStorage", out var azureStorage))
                {
                    client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(azureStorage));
                }
                else
                {
                    client.UseRedisClustering(settings["Orleans__Redis"]);
                }

                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId))
                    .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
                    // A call routed to a silo that was just killed fails in seconds and the caller's wait retries it.
                    .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            })
            .Build();
        await host.StartAsync();
        return new StoreClient(host);
    }

    /// <summary>The silo named <paramref name="siloName"/> that is Active in membership, if any.</summary>
    public async Task<SiloAddress?> ActiveSiloAsync(string siloName) =>
        (await Management.GetDetailedHosts(onlyActive: true)).FirstOrDefault(h => h.SiloName == siloName && h.Status == SiloStatus.Active)?.SiloAddress;

    /// <summary>ErieCanal grain activations on one silo.</summary>
    public async Task<int> ActivationsOnAsync(SiloAddress silo) =>
        (await Management.GetSimpleGrainStatistics([silo])).Where(s => s.GrainType.Contains("ErieCanal", StringComparison.Ordinal)).Sum(s => s.ActivationCount);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
