using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// One in-process silo (localhost clustering on ports from LocalPorts, in-memory storage) running the reconciler against the
/// environment's control plane, with the production defaults plus the compared configuration's silo settings.
/// Logs at Warning and above go to stderr.
/// </summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host)
    {
        _host = host;
    }

    public static async Task<BenchSilo> StartAsync(EmbeddedEnvironment environment, SystemConfiguration configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ErieCanal:ControlPlaneKubeconfig"] = environment.ControlPlaneKubeconfig,
        });
        builder.Configuration.AddInMemoryCollection(configuration.Silo);
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: LocalPorts.Reserve(), gatewayPort: LocalPorts.Reserve());
            silo.AddErieCanalStorage(redisConnectionString: null);
            silo.AddErieCanal(builder.Configuration);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new BenchSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
