using System.Text;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.Sandbox.Hosting;
using k8s;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>
/// One sandbox member with the flomesh.io CRDs, its gateway and its client-side proxy, started in-process as the
/// embedded silo will. Fresh per test (xunit makes one instance per test), so tests cannot see each other's routes.
/// No silo, no control plane: the data plane never needs one.
/// </summary>
public abstract class MemberContext : IAsyncLifetime
{
    public const string Member = "c1";
    public const string ClusterKey = "default/default/default/c1";

    private readonly List<IAsyncDisposable> _owned = [];

    public SandboxHost Sandbox { get; private set; } = null!;

    public Kubernetes Client { get; private set; } = null!;

    public DataPlaneServer Gateway { get; private set; } = null!;

    public DataPlaneServer Proxy { get; private set; } = null!;

    public HttpClient ThroughProxy { get; private set; } = null!;

    public HttpClient Direct { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    protected virtual ProxyOptions ProxyOptions => new() { ClusterKey = ClusterKey, MemberName = Member };

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxHost.StartAsync([Member], new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) }, controlPort: 0);
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(Sandbox[Member].Kubeconfig())))
        {
            Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
        }

        await Objects.ApplyCrdsAsync(Client);
        Gateway = await MemberGateway.StartAsync(new GatewayOptions { MemberName = Member }, Sandbox[Member].Kubeconfig());
        Proxy = await ClientProxy.StartAsync(ProxyOptions, Sandbox[Member].Kubeconfig());
        await Gateway.WaitUntilReadyAsync();
        await Proxy.WaitUntilReadyAsync();
        ThroughProxy = new HttpClient(new SocketsHttpHandler { Proxy = new System.Net.WebProxy(Proxy.Address), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task<Backend> BackendAsync(string name)
    {
        var backend = await Backend.StartAsync(name);
        _owned.Add(backend);
        return backend;
    }

    /// <summary>GET through the gateway with a given Host header; status and body.</summary>
    public async Task<(int Status, string Body)> ViaGatewayAsync(string pathAndQuery, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Gateway.Address, pathAndQuery));
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await Direct.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(int Status, string Body)> ViaProxyAsync(string url, HttpMethod? method = null, string? body = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        using var response = await ThroughProxy.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        ThroughProxy?.Dispose();
        Direct.Dispose();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Client?.Dispose();
        await Sandbox.DisposeAsync();
    }
}
