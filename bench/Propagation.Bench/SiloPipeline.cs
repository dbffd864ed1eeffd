using System.Globalization;
using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// ErieCanal.Orleans itself: one in-process silo (localhost clustering on ports from LocalPorts, in-memory storage) running the
/// reconciler against the environment's control plane, with the production option defaults except RepairInterval.
/// Logs at Warning and above go to stderr.
/// </summary>
public sealed class SiloPipeline(EmbeddedEnvironment environment, BenchSettings settings) : IPropagationPipeline
{
    private IHost? _host;

    public string Name => "ErieCanal.Orleans";

    /// <summary>The silo host's services (its grain factory, for the management grain), once started.</summary>
    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("the silo has not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ErieCanal:ControlPlaneKubeconfig"] = environment.ControlPlaneKubeconfig,
            ["ErieCanal:RepairInterval"] = settings.RepairInterval.ToString("c", CultureInfo.InvariantCulture),
        });

        // Any ErieCanal__* setting from the environment overrides, to measure a configuration (e.g. probe intervals).
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: LocalPorts.Reserve(), gatewayPort: LocalPorts.Reserve());
            silo.AddErieCanalStorage(redisConnectionString: null);
            silo.AddErieCanal(builder.Configuration);
        });
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _host.StopAsync(timeout.Token);
            _host.Dispose();
        }
    }
}
