using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Silo.Api;
using ErieCanal.Orleans.Silo.Observability;
using ErieCanal.Orleans.Silo.Security;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ErieCanal.Orleans.Silo.Hosting;

/// <summary>
/// The silo host, one setup for both executables: the production silo (src/Silo) and the embedded default
/// (src/Embedded), which starts its sandbox in <c>prepare</c> and hands the silo its control plane.
/// </summary>
public static class SiloApp
{
    public const string ControlPlaneSetting = "ErieCanal:ControlPlaneKubeconfig";

    /// <summary>The first words of the line printed once every listener is bound; launchers read the API's URL from it.</summary>
    public const string RunningLine = "ErieCanal.Orleans silo is running; API on ";

    /// <summary>Exit code when no control plane is configured outside a pod.</summary>
    public const int NoControlPlaneExitCode = 2;

    /// <summary>
    /// Builds the silo from <paramref name="args"/>, the environment and the settings next to the binary, runs it
    /// until it is stopped and returns the process's exit code. <paramref name="prepare"/> runs first with the
    /// configuration (it may add settings) and what it returns is disposed after the silo has stopped.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Func<ConfigurationManager, Task<IAsyncDisposable?>>? prepare = null)
    {
        // Settings ship next to the binary, whatever directory the silo is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var configuration = builder.Configuration;
        var inCluster = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));
        await using var prepared = prepare is null ? null : await prepare(configuration);
        if (string.IsNullOrEmpty(configuration[ControlPlaneSetting]) && !inCluster)
        {
            await Console.Error.WriteLineAsync(
                "ErieCanal.Orleans: no control plane configured. Set ErieCanal__ControlPlaneKubeconfig to the kubeconfig file of the " +
                "control-plane cluster (in a pod, the in-cluster service account is used), or run the embedded default with its " +
                "in-process sandbox: dotnet run --project src/Embedded (ErieCanal.Orleans.Embedded).");
            return NoControlPlaneExitCode;
        }

        builder.UseOrleans(silo =>
        {
            // Membership (Redis, Azure Table or localhost) and grain state share one store; see docs/storage.md.
            // Storage first: it refuses both stores set, or a malformed connection string, before anything uses them.
            silo.AddErieCanalStorage(configuration);
            silo.UseErieCanalClustering(configuration, inCluster);

            if (configuration["Orleans:SiloName"] is { Length: > 0 } siloName)
            {
                silo.Configure<SiloOptions>(o => o.SiloName = siloName);
            }

            silo.AddErieCanal(configuration);
            silo.AddErieCanalDashboard(configuration);
        });

        builder.Services.AddErieCanalShutdown(configuration);
        builder.Services.AddErieCanalTelemetry(configuration);
        builder.UseErieCanalListeners();
        builder.AddErieCanalSecurity();

        await using var app = builder.Build();
        app.MapReconcilerApi();
        app.MapErieCanalMetrics();
        app.MapErieCanalDashboard();
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"{RunningLine}{string.Join(", ", ApiUrls(app))} (GET /api/v1/clusters, GET /metrics). Ctrl+C stops."));
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// The API's addresses as bound (the server's addresses once started): a listener configured on port 0 shows the
    /// port the system gave it, which is how a launcher learns it. The dashboard's own listener is left out.
    /// </summary>
    private static IEnumerable<string> ApiUrls(WebApplication app)
    {
        var dashboardPort = app.Services.GetRequiredService<IOptions<SiloDashboardOptions>>().Value is { Enabled: true, Port: { } port } ? port : (int?)null;
        return app.Urls.Where(a => dashboardPort is null || new Uri(a).Port != dashboardPort);
    }
}
