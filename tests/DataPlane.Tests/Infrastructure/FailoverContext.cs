using System.Text;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.Sandbox.Hosting;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>
/// Three sandbox members as the embedded default has them, without a control plane: c2 and c3 each run a
/// Deployment "web" (sandbox pods answering their names) behind their gateway, reached through the member's
/// gateway address (the sandbox front, with its stop and blackhole switches); c1 consumes web.fo:80 through its
/// client-side proxy, by a ServiceImport whose status.routing lists both gateways as Active (ActiveActive), as
/// the writer grain would. The proxy's cool-offs run on a fake clock, so an ejection lasts until the test moves it.
/// </summary>
public abstract class FailoverContext : IAsyncLifetime
{
    public const string Consumer = "c1";
    public const string Namespace = "fo";
    public const string Url = "http://web.fo/";
    public const string IngressPath = "/fo/web";

    public static readonly string[] Exporters = ["c2", "c3"];

    private readonly List<IAsyncDisposable> _servers = [];

    public SandboxHost Sandbox { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new();

    public Dictionary<string, DataPlaneServer> Gateways { get; } = new(StringComparer.Ordinal);

    public DataPlaneServer Proxy { get; private set; } = null!;

    /// <summary>A second proxy, of c2, in the same process: it must not show c1's numbers.</summary>
    public DataPlaneServer BystanderProxy { get; private set; } = null!;

    public HttpClient ThroughProxy { get; private set; } = null!;

    /// <summary>No proxy setting: requests sent straight to the proxy's address, as a derived Service carries a pod's.</summary>
    public HttpClient Transparent { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public EjectionOptions Ejection { get; } = new() { ConsecutiveFailures = 5, BaseEjectionTime = TimeSpan.FromSeconds(10) };

    public TimeSpan TryTimeout { get; } = TimeSpan.FromMilliseconds(500);

    public static string ClusterKeyOf(string member) => $"default/default/default/{member}";

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxHost.StartAsync([Consumer, .. Exporters], new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) });
        using (var consumer = Client(Consumer))
        {
            await Objects.ApplyCrdsAsync(consumer);
            await Objects.NamespaceAsync(consumer, Namespace);
        }

        foreach (var member in Exporters)
        {
            using var client = Client(member);
            await Objects.NamespaceAsync(client, Namespace);
            await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(member), Namespace);
            await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Namespace },
                Spec = new V1ServiceSpec
                {
                    Selector = new Dictionary<string, string> { ["app"] = "web" },
                    Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080, Protocol = "TCP" }],
                },
            }, Namespace);
            await Objects.IngressAsync(client, Objects.Ingress(Namespace, "svcexp-ing-web", GatewayOptions.DefaultIngressClass, [new Objects.IngressPath(IngressPath, "Prefix", "web", 80)],
                new Dictionary<string, string> { [PathRewrite.FromAnnotation] = $"^{IngressPath}/?", [PathRewrite.ToAnnotation] = "/" }));

            var gateway = await MemberGateway.StartAsync(new GatewayOptions { MemberName = member, ClusterKey = ClusterKeyOf(member) }, Sandbox[member].Kubeconfig());
            _servers.Add(gateway);
            Gateways[member] = gateway;
            await Sandbox[member].Gateway.StartAsync();
            Sandbox[member].Gateway.Acceptor = gateway.TryAdopt;
        }

        Proxy = await ClientProxy.StartAsync(
            new ProxyOptions { ClusterKey = ClusterKeyOf(Consumer), MemberName = Consumer, TryTimeout = TryTimeout, Ejection = Ejection },
            Sandbox[Consumer].Kubeconfig(),
            Clock);
        _servers.Add(Proxy);
        BystanderProxy = await ClientProxy.StartAsync(new ProxyOptions { ClusterKey = ClusterKeyOf("c2"), MemberName = "c2" }, Sandbox["c2"].Kubeconfig());
        _servers.Add(BystanderProxy);
        ThroughProxy = new HttpClient(new SocketsHttpHandler { Proxy = new System.Net.WebProxy(Proxy.Address), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(60) };

        // Each member's gateway serves its pods before the proxy is told about it, so the proxy's record starts clean.
        using (var direct = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) })
        {
            foreach (var member in Exporters)
            {
                await Eventually.Until(
                    async () => (await direct.GetAsync($"http://127.0.0.1:{Sandbox[member].Gateway.Port}{IngressPath}/")).StatusCode == System.Net.HttpStatusCode.OK,
                    $"{member}'s gateway serves its pods");
            }
        }

        using (var consumer = Client(Consumer))
        {
            await Objects.ImportAsync(consumer, Namespace, "web", 80, [.. Exporters.Select(m =>
                new Objects.RoutedEndpoint(ClusterKeyOf(m), "127.0.0.1", Sandbox[m].Gateway.Port, IngressPath, 100, "Active"))]);
        }

        // Both members answer through the proxy: pods ready, gateways routing, the import seen.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await Eventually.Until(async () =>
        {
            if (await GetAsync() is (200, var body))
            {
                seen.Add(MemberOf(body));
            }

            return seen.Count == Exporters.Length;
        }, "both members answer through c1's proxy");
    }

    public Kubernetes Client(string member)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Sandbox[member].Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    public async Task<(int Status, string Body)> GetAsync(string path = "")
    {
        using var response = await ThroughProxy.GetAsync(Url + path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The same GET in origin form, its Host naming the Service, sent to the proxy's address.</summary>
    public async Task<(int Status, string Body)> TransparentGetAsync(string path = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Proxy.Address, "/" + path));
        request.Headers.Host = new Uri(Url).Authority;
        using var response = await Transparent.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Which member's pod answered: pods are named after their Deployment, web-&lt;member&gt;-....</summary>
    public static string MemberOf(string body) => body.StartsWith("web-", StringComparison.Ordinal) && body.Split('-') is { Length: > 2 } parts ? parts[1] : body;

    public async Task DisposeAsync()
    {
        ThroughProxy?.Dispose();
        Transparent.Dispose();
        foreach (var server in Enumerable.Reverse(_servers))
        {
            await server.DisposeAsync();
        }

        await Sandbox.DisposeAsync();
    }

    private static V1Deployment Deployment(string member) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"web-{member}", NamespaceProperty = Namespace },
        Spec = new V1DeploymentSpec
        {
            Replicas = 2,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "example/web:1", Ports = [new V1ContainerPort { ContainerPort = 8080 }] }] },
            },
        },
    };
}
