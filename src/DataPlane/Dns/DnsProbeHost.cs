using ErieCanal.Orleans.DataPlane.Hosting;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// GET /healthz and /readyz for the <c>dns</c> component, which has no HTTP traffic of its own: the kubelet's
/// readiness keeps the DNS Service from sending queries to a replica whose informers have not synced.
/// </summary>
public sealed class DnsProbeHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;

    private DnsProbeHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address, e.g. http://127.0.0.1:41234 (a wildcard listen is reported as loopback).</summary>
    public Uri Address { get; }

    /// <summary>Serves the probes of <paramref name="dns"/> on <paramref name="listen"/> (an http:// URL, see <see cref="ListenAddress"/>).</summary>
    public static async Task<DnsProbeHost> StartAsync(string listen, MemberDnsServer dns, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dns);
        if (ListenAddress.Describe(listen) is { } problem)
        {
            throw new ArgumentException($"Listen: {problem}", nameof(listen));
        }

        var app = DataPlaneApp.CreateBuilder(listen, loggerFactory).Build();
        DataPlaneApp.MapProbes(app, () => dns.IsReady);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var bound = app.Urls.First(url => !url.Contains(AdoptedEndPoint.Instance.ToString(), StringComparison.Ordinal));
        return new DnsProbeHost(app, new Uri(bound.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(ShutdownGrace))
        {
            await _app.StopAsync(grace.Token);
        }

        await _app.DisposeAsync();
    }
}
