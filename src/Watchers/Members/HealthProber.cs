using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>The name this silo signs its probe reports with.</summary>
public sealed record ProbeIdentity(string SiloName);

/// <summary>
/// Every silo probes every managed member's API server and gateway and reports to the member's ClusterGrain, which
/// decides health from the silos' majority: one partitioned silo cannot evict a healthy member. The gateway is asked
/// over HTTP (<c>GET /healthz</c>, 2xx in time): a port that accepts connections but never answers is not healthy.
/// </summary>
public sealed partial class HealthProber(
    IGrainFactory grains,
    MemberClients clients,
    ProbeIdentity identity,
    IHostApplicationLifetime lifetime,
    IOptions<ErieCanalOptions> options,
    ILogger<HealthProber> logger) : BackgroundService
{
    public const string HealthPath = "/healthz";

    // Gateways are reached directly: never through a proxy from the environment, never following redirects.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = options.Value.ProbeTimeout,
        PooledConnectionIdleTimeout = options.Value.ProbeInterval * 2,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        // Stop probing as soon as the host begins to stop, before the silo's grains go away under the probes.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        using var timer = new PeriodicTimer(options.Value.ProbeInterval);
        try
        {
            do
            {
                await ProbeAllAsync(stopping.Token);
            }
            while (await timer.WaitForNextTickAsync(stopping.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        IEnumerable<ClusterInfo> members;
        try
        {
            // Every registered member, managed or not: a member whose watches broke must still be found unhealthy.
            members = await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetClusters();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDirectoryUnavailable(ex.Message);
            return;
        }

        await Task.WhenAll(members.Select(m => ProbeAsync(m, cancellationToken)));
    }

    private async Task ProbeAsync(ClusterInfo member, CancellationToken cancellationToken)
    {
        var apiOk = await ProbeApiServerAsync(member.ClusterKey, cancellationToken);
        var gatewayOk = member.Gateway is null || await ProbeGatewayAsync(member.Gateway, cancellationToken);
        try
        {
            await grains.GetGrain<IClusterGrain>(member.ClusterKey).ReportProbe(identity.SiloName, apiOk, gatewayOk);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReportFailed(member.ClusterKey, ex.Message);
        }
    }

    private async Task<bool> ProbeApiServerAsync(string clusterKey, CancellationToken cancellationToken)
    {
        try
        {
            var client = await clients.GetAsync(clusterKey);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ProbeTimeout);
            await client.Version.GetCodeAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogProbeFailed(clusterKey, "API server", ex.Message);
            return false;
        }
    }

    private async Task<bool> ProbeGatewayAsync(GatewayAddress gateway, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ProbeTimeout);
            var host = string.IsNullOrEmpty(gateway.Ip) ? gateway.Host : gateway.Ip;
            using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder("http", host, gateway.Port, HealthPath).Uri);
            request.Headers.Host = $"{gateway.Host}:{gateway.Port}";
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            LogProbeFailed(gateway.Host, "gateway", $"{HealthPath} answered {(int)response.StatusCode}");
            return false;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogProbeFailed(gateway.Host, "gateway", ex.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Probe of {Target} ({What}) failed: {Message}")]
    private partial void LogProbeFailed(string target, string what, string message);

    // One line without a stack trace: these repeat every probe round while a silo or grain is away.
    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Could not report a probe of {ClusterKey}: {Message}")]
    private partial void LogReportFailed(string clusterKey, string message);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "The cluster directory is unavailable; probes skip this round: {Message}")]
    private partial void LogDirectoryUnavailable(string message);
}
