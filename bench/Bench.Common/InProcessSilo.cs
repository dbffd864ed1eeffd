using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Bench.Common;

/// <summary>
/// The benchmarks' one in-process silo: localhost clustering on ports from <see cref="LocalPorts"/>, in-memory
/// storage, the reconciler against a control plane with the production option defaults plus the given settings.
/// Logs at Warning and above go to stderr.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessSilo(IHost host)
    {
        _host = host;
    }

    /// <summary>The silo host's services (its grain factory, for the management grain).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts a silo against <paramref name="controlPlaneKubeconfig"/>. <paramref name="settings"/> (configuration
    /// keys, e.g. <c>ErieCanal:RepairInterval</c>) override the defaults; with <paramref name="fromEnvironment"/>, any
    /// <c>ErieCanal__*</c> environment variable overrides both, to measure a configuration without a rebuild.
    /// </summary>
    public static async Task<InProcessSilo> StartAsync(
        string controlPlaneKubeconfig, IEnumerable<KeyValuePair<string, string?>> settings, bool fromEnvironment, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ErieCanal:ControlPlaneKubeconfig"] = controlPlaneKubeconfig });
        builder.Configuration.AddInMemoryCollection(settings);
        if (fromEnvironment)
        {
            builder.Configuration.AddEnvironmentVariables();
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: LocalPorts.Reserve(), gatewayPort: LocalPorts.Reserve());
            silo.AddErieCanalStorage(redisConnectionString: null);
            silo.AddErieCanal(builder.Configuration);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new InProcessSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
