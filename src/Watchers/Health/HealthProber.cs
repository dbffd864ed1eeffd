using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using k8s;

namespace ErieCanal.Orleans.Watchers.Health;

/// <summary>The name this silo signs its probe reports with.</summary>
public sealed record ProbeIdentity(string SiloName);

/// <summary>
/// Every silo probes every registered member's API server (<c>GET /version</c>) and gateway (<c>GET /healthz</c>,
/// 2xx in time: a port that accepts connections but never answers is not healthy), and each exported service's path
/// through that gateway (5xx or no answer in time = the service fails; a refused connection is the gateway's failure). Each target
/// runs on its own <see cref="ProbeLoop"/>; results go to the member's ClusterGrain or the export's grain, which
/// decide from the silos' majority with hysteresis, so one partitioned silo cannot evict a healthy member.
/// Off (<see cref="HealthOptions.Enabled"/> false): nothing is probed.
/// </summary>
public sealed partial class HealthProber(
    IGrainFactory grains,
    MemberClients clients,
    ProbeIdentity identity,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    IOptions<ErieCanalOptions> options,
    ILogger<HealthProber> logger) : BackgroundService
{
    public const string HealthPath = "/healthz";

    /// <summary>How often the set of targets (members, exported services) is read again; new targets need no hurry.</summary>
    private static readonly TimeSpan TargetRefresh = TimeSpan.FromSeconds(2);

    /// <summary>A gateway probe's request runs on after the probe failed on its timeout, up to this many timeouts.</summary>
    private const int RequestCap = 10;

    private readonly Dictionary<string, ProbeLoop> _loops = new(StringComparer.Ordinal);

    // Gateway requests running per gateway and path (they may outlive their probe).
    private readonly Dictionary<string, int> _outstanding = new(StringComparer.Ordinal);

    // Gateways are reached directly: never through a proxy from the environment, never following redirects; pooled
    // (the probes in flight per target are bounded, so are their connections).
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = options.Value.Health.ProbeTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private HealthOptions Health => options.Value.Health;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Health.Enabled)
        {
            LogDisabled();
            return;
        }

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
        using var timer = new PeriodicTimer(TargetRefresh, time);
        try
        {
            do
            {
                await RefreshAsync(stopping.Token);
            }
            while (await timer.WaitForNextTickAsync(stopping.Token));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await Task.WhenAll(_loops.Values.Select(l => l.DisposeAsync().AsTask()));
            _loops.Clear();
        }
    }

    /// <summary>Starts a loop for each new target and stops those of targets gone (or changed: the key names the shape).</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        ImmutableArray<ClusterInfo> members;
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

        // Beyond the probe budget each member is probed less often; the interval is part of the key, so the loops
        // restart at the new interval (only when it doubles or halves).
        var memberInterval = Health.MemberProbeInterval(members.Length);

        // The services of every member with a gateway, asked all at once: with hundreds of members, one call after
        // another would take most of the refresh period.
        var withGateway = members.Where(m => m.Gateway is not null).ToList();
        var probes = await Task.WhenAll(withGateway.Select(async m =>
        {
            try
            {
                return (Member: m, Services: await grains.GetGrain<IClusterGrain>(m.ClusterKey).GetServiceProbes(), Error: (string?)null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (Member: m, Services: ImmutableArray<ServiceProbeTarget>.Empty, Error: ex.Message);
            }
        }));

        var wanted = new Dictionary<string, Func<ProbeLoop>>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            wanted[$"member|{member.ClusterKey}|{member.Gateway}|{memberInterval}"] = () => MemberLoop(member, memberInterval, cancellationToken);
        }

        foreach (var (member, services, error) in probes)
        {
            var gateway = member.Gateway!;
            if (error is not null)
            {
                // Keep probing this member's services as before until its grain answers again.
                LogTargetsUnavailable(member.ClusterKey, error);
                foreach (var kept in _loops.Keys.Where(k => k.StartsWith($"service|{member.ClusterKey}|", StringComparison.Ordinal)))
                {
                    wanted[kept] = () => throw new InvalidOperationException("a kept loop is never started again");
                }

                continue;
            }

            foreach (var service in services)
            {
                wanted[$"service|{member.ClusterKey}|{gateway}|{service.ServiceKey}|{string.Join(',', service.Paths)}"] =
                    () => ServiceLoop(member.ClusterKey, gateway, service, cancellationToken);
            }
        }

        foreach (var gone in _loops.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
        {
            await _loops[gone].DisposeAsync();
            _loops.Remove(gone);
        }

        foreach (var (key, start) in wanted.Where(w => !_loops.ContainsKey(w.Key)))
        {
            _loops[key] = start().Start();
        }
    }

    private ProbeLoop MemberLoop(ClusterInfo member, TimeSpan interval, CancellationToken cancellationToken)
    {
        var clusterKey = member.ClusterKey;
        var waiting = new Waiting();
        var streak = interval == Health.ProbeInterval
            ? Streak(Health.MemberFreshness)
            : Streak(interval * Health.FreshRounds, freshFor: interval * Health.FreshRounds);
        return new ProbeLoop(interval, MaxInFlight(interval), Health.ProbeTimeout, streak,
            ct => ProbeMemberAsync(member, waiting, ct),
            () => Volatile.Read(ref waiting.ApiServer) > 0
                ? new ProbeResult(false, ConditionReasons.ApiServerUnreachable, $"API server: {NoAnswer}")
                : new ProbeResult(false, ConditionReasons.GatewayUnreachable, $"gateway {HealthPath}: {NoAnswer}"),
            report => grains.GetGrain<IClusterGrain>(clusterKey).ReportProbe(report),
            ex => LogReportFailed(clusterKey, ex.Message),
            time, cancellationToken);
    }

    private ProbeLoop ServiceLoop(string clusterKey, GatewayAddress gateway, ServiceProbeTarget service, CancellationToken cancellationToken)
    {
        var (ns, name) = ServiceKeys.ParseService(service.ServiceKey);
        var exportKey = ServiceKeys.Export(clusterKey, ns, name);
        return new ProbeLoop(Health.ServiceProbeInterval, MaxInFlight(Health.ServiceProbeInterval), Health.ProbeTimeout, Streak(Health.ServiceFreshness),
            ct => ProbePathsAsync(gateway, service.Paths, ct),
            () => new ProbeResult(false, ConditionReasons.ServiceErrors, $"GET {service.Paths.FirstOrDefault()} {NoAnswer}"),
            report => grains.GetGrain<IServiceExportGrain>(exportKey).ReportPathProbe(report),
            ex => LogReportFailed(exportKey, ex.Message),
            time, cancellationToken);
    }

    /// <summary>Reports while a streak is short of either threshold, and keeps alive at a third of the freshness window.</summary>
    private ProbeStreak Streak(TimeSpan freshness, TimeSpan freshFor = default) =>
        new(identity.SiloName, Math.Max(Health.UnhealthyThreshold, Health.HealthyThreshold), freshness / 3, freshFor);

    /// <summary>
    /// Probes of one target that may wait at once: those still within their timeout (a probe started that many
    /// intervals ago has timed out by now, a failure of its own), at least two; so a slow target holds at most that
    /// many probes and their connections, and an interval that finds them all waiting counts as failed.
    /// </summary>
    private int MaxInFlight(TimeSpan interval) => Math.Max(2, (int)Math.Ceiling(Health.ProbeTimeout / interval));

    private string NoAnswer => $"no answer within {Health.ProbeTimeout.TotalMilliseconds:0} ms";

    private async Task<ProbeResult?> ProbeMemberAsync(ClusterInfo member, Waiting waiting, CancellationToken cancellationToken)
    {
        var api = waiting.OnApiServer(ProbeApiServerAsync(member.ClusterKey, cancellationToken));
        var gateway = member.Gateway is { } address ? ProbeGatewayAsync(address, cancellationToken) : Task.FromResult<string?>(null);
        var (apiFailure, gatewayFailure) = (await api, await gateway);
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return apiFailure is not null ? new ProbeResult(false, ConditionReasons.ApiServerUnreachable, $"API server: {apiFailure}")
            : gatewayFailure is not null ? new ProbeResult(false, ConditionReasons.GatewayUnreachable, $"gateway {HealthPath}: {gatewayFailure}")
            : ProbeResult.Success;
    }

    /// <summary>Null when the API server answered in time, else what went wrong.</summary>
    private async Task<string?> ProbeApiServerAsync(string clusterKey, CancellationToken cancellationToken)
    {
        try
        {
            var client = await clients.GetAsync(clusterKey);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Health.ProbeTimeout);
            await client.Version.GetCodeAsync(timeout.Token);
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogProbeFailed(clusterKey, "API server", ex.Message);
            return ex is OperationCanceledException ? $"no answer within {Health.ProbeTimeout.TotalMilliseconds:0} ms" : ex.Message;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Null when the gateway's health endpoint answered 2xx in time, else what went wrong.</summary>
    private async Task<string?> ProbeGatewayAsync(GatewayAddress gateway, CancellationToken cancellationToken)
    {
        try
        {
            var status = await GetAsync(gateway, HealthPath, cancellationToken);
            return status is >= 200 and < 300 ? null : $"answered {status}";
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogProbeFailed(gateway.Host, "gateway", ex.Message);
            return ex is OperationCanceledException ? $"no answer within {Health.ProbeTimeout.TotalMilliseconds:0} ms" : ex.Message;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// A service fails when one of its paths answers 5xx through the gateway, or does not answer within the probe
    /// timeout (its pods hang); 2xx–4xx is the service answering. A refused or broken connection is the gateway's
    /// failure, judged by the member probe: no result here.
    /// </summary>
    private async Task<ProbeResult?> ProbePathsAsync(GatewayAddress gateway, ImmutableArray<string> paths, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(paths.Select(async path =>
        {
            try
            {
                var status = await GetAsync(gateway, path, cancellationToken);
                return (Path: path, Answered: true, Failure: status >= 500 ? $"answered {status}" : null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (Path: path, Answered: true, Failure: $"no answer within {Health.ProbeTimeout.TotalMilliseconds:0} ms");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogProbeFailed($"{gateway.Host}{path}", "service path", ex.Message);
                return (Path: path, Answered: false, Failure: (string?)null);
            }
            catch (OperationCanceledException)
            {
                return (Path: path, Answered: false, Failure: (string?)null);
            }
        }));

        if (answers.FirstOrDefault(a => a.Failure is not null) is { Failure: { } failure } failed)
        {
            return new ProbeResult(false, ConditionReasons.ServiceErrors, $"GET {failed.Path} {failure}");
        }

        return answers.Any(a => a.Answered) ? ProbeResult.Success : null;
    }

    /// <summary>
    /// GET <paramref name="path"/> on the gateway with the Host an Ingress without host rules expects; the status code.
    /// No answer within the probe timeout fails the probe then (<see cref="OperationCanceledException"/>), but the
    /// request runs on, up to <see cref="RequestCap"/> timeouts: an HTTP/1.1 request aborted mid-way takes its
    /// connection with it, and on a slow gateway every probe would open a new one. At most
    /// <see cref="MaxInFlight"/> requests per gateway path run at once; beyond that a probe fails without sending.
    /// </summary>
    private async Task<int> GetAsync(GatewayAddress gateway, string path, CancellationToken cancellationToken)
    {
        var host = string.IsNullOrEmpty(gateway.Ip) ? gateway.Host : gateway.Ip;
        var key = $"{host}:{gateway.Port}{path}";
        lock (_outstanding)
        {
            var running = _outstanding.GetValueOrDefault(key);
            if (running >= MaxInFlight(Health.ProbeInterval))
            {
                throw new OperationCanceledException($"{running} earlier probes of {path} are still unanswered");
            }

            _outstanding[key] = running + 1;
        }

        var send = SendAsync(host, gateway, path, key, cancellationToken);
        try
        {
            return await send.WaitAsync(Health.ProbeTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Observed here, so a late failure of the request running on is not an unobserved exception.
            _ = send.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new OperationCanceledException($"no answer within {Health.ProbeTimeout.TotalMilliseconds:0} ms");
        }
    }

    private async Task<int> SendAsync(string host, GatewayAddress gateway, string path, string key, CancellationToken cancellationToken)
    {
        try
        {
            using var cap = new CancellationTokenSource(Health.ProbeTimeout * RequestCap, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cap.Token);
            using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder("http", host, gateway.Port, path).Uri);
            request.Headers.Host = $"{gateway.Host}:{gateway.Port}";
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            return (int)response.StatusCode;
        }
        finally
        {
            lock (_outstanding)
            {
                if (--_outstanding[key] == 0)
                {
                    _outstanding.Remove(key);
                }
            }
        }
    }

    /// <summary>How many of a member's probes wait for its API server now, to tell which part a busy interval blames.</summary>
    private sealed class Waiting
    {
        public int ApiServer;

        public async Task<string?> OnApiServer(Task<string?> probe)
        {
            Interlocked.Increment(ref ApiServer);
            try
            {
                return await probe;
            }
            finally
            {
                Interlocked.Decrement(ref ApiServer);
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Probe of {Target} ({What}) failed: {Message}")]
    private partial void LogProbeFailed(string target, string what, string message);

    // One line without a stack trace: these repeat while a silo or grain is away.
    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Could not report a probe of {Target}: {Message}")]
    private partial void LogReportFailed(string target, string message);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "The cluster directory is unavailable; probe targets are not refreshed: {Message}")]
    private partial void LogDirectoryUnavailable(string message);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Could not read the exported services of {ClusterKey} to probe; probing them as before: {Message}")]
    private partial void LogTargetsUnavailable(string clusterKey, string message);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Health checking is off (ErieCanal:Health:Enabled=false): every member and service counts healthy")]
    private partial void LogDisabled();
}
