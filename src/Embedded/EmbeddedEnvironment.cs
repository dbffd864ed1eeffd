using System.Text;
using ErieCanal.Orleans.DataPlane.Dns;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Embedded;

/// <summary>
/// The embedded default: an in-process sandbox with a control plane and members, the CRDs applied everywhere, the
/// data plane of each member (our YARP gateway behind the member's gateway address, and a client-side proxy that the
/// member's simulated containers send their requests through, and its <c>clusterset.local</c> DNS server, which the
/// member's cluster DNS forwards to as the chart's CoreDNS stub zone has CoreDNS do), and each member registered as a
/// Cluster object as in the seed walkthrough.
/// Tests use the same bootstrap, so the README's one command and the test suite exercise one path.
/// </summary>
public sealed class EmbeddedEnvironment : IAsyncDisposable
{
    public const string ControlPlaneName = "control-plane";

    private EmbeddedEnvironment(SandboxHost sandbox, IReadOnlyDictionary<string, string> kubeconfigs)
    {
        Sandbox = sandbox;
        Kubeconfigs = kubeconfigs;
    }

    /// <summary>Each member's data plane, by member name (empty when started without one).</summary>
    public IReadOnlyDictionary<string, MemberDataPlane> DataPlane => _members;

    private readonly Dictionary<string, MemberDataPlane> _members = new(StringComparer.Ordinal);

    public SandboxHost Sandbox { get; }

    /// <summary>Kubeconfig path per cluster name; "" is the merged file.</summary>
    public IReadOnlyDictionary<string, string> Kubeconfigs { get; }

    public string ControlPlaneKubeconfig => Kubeconfigs[ControlPlaneName];

    public IEnumerable<SandboxCluster> Members => Sandbox.Clusters.Where(c => c.Name != ControlPlaneName);

    public static async Task<EmbeddedEnvironment> StartAsync(
        IReadOnlyList<string> members,
        string directory,
        bool registerMembers = true,
        SandboxClusterOptions? options = null,
        int controlPort = 0,
        bool startDataPlane = true,
        Action<ProxyOptions>? configureProxy = null,
        CancellationToken cancellationToken = default)
    {
        var sandbox = await SandboxHost.StartAsync([ControlPlaneName, .. members], options, controlPort, cancellationToken);
        try
        {
            var files = sandbox.WriteKubeconfigs(directory);
            var environment = new EmbeddedEnvironment(sandbox, files);
            var crds = LoadCrds();
            foreach (var cluster in sandbox.Clusters)
            {
                using var client = environment.Client(cluster.Name);
                foreach (var crd in crds)
                {
                    await ApplyCrdAsync(client, crd, cancellationToken);
                }

                if (cluster.Name != ControlPlaneName)
                {
                    await cluster.Gateway.StartAsync(0, cancellationToken);
                    if (startDataPlane)
                    {
                        await environment.StartDataPlaneAsync(cluster, configureProxy, cancellationToken);
                    }
                }
            }

            if (registerMembers)
            {
                foreach (var member in environment.Members)
                {
                    await environment.RegisterAsync(member.Name, cancellationToken: cancellationToken);
                }
            }

            return environment;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the member's gateway (reached through the sandbox's gateway address, which stands for the member's load
    /// balancer and keeps its faults) and its client-side proxy (where the member's containers send their requests).
    /// </summary>
    private async Task StartDataPlaneAsync(SandboxCluster member, Action<ProxyOptions>? configureProxy, CancellationToken cancellationToken)
    {
        var kubeconfig = member.Kubeconfig();
        var clusterKey = ClusterKeys.Format(ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, member.Name);
        var gateway = await MemberGateway.StartAsync(new GatewayOptions { MemberName = member.Name, ClusterKey = clusterKey }, kubeconfig, cancellationToken: cancellationToken);
        _members[member.Name] = new MemberDataPlane(gateway, null);
        // The proxy on an address of its own in the member's pod range, as a proxy pod has: its per-port listeners
        // (one per port of each proxy-fronted Service) never meet another member's on the same port.
        var proxyOptions = new ProxyOptions { MemberName = member.Name, ClusterKey = clusterKey, Listen = $"http://{member.PodIps.Allocate()}:0" };
        configureProxy?.Invoke(proxyOptions);
        var proxy = await ClientProxy.StartAsync(proxyOptions, kubeconfig, cancellationToken: cancellationToken);
        _members[member.Name] = new MemberDataPlane(gateway, proxy);
        var dns = await MemberDns.StartAsync(new DnsOptions { Enabled = true, Listen = "127.0.0.1:0", MemberName = member.Name }, kubeconfig, cancellationToken: cancellationToken);
        _members[member.Name] = new MemberDataPlane(gateway, proxy, dns);
        member.ClustersetDns = dns.EndPoint;
        await ForwardClustersetZoneAsync(member.Name, dns.EndPoint, cancellationToken);
        member.Gateway.Upstream = gateway.EndPoint;

        // The member's gateway address hands its accepted connections straight to the gateway (no relay hop), as a
        // kernel load balancer would; stop and blackhole stay connection-level switches of the sandbox.
        member.Gateway.Acceptor = gateway.TryAdopt;
        member.ClientProxy = proxy.Address;
        await PublishProxyAsync(member.Name, proxy.EndPoint, cancellationToken);
    }

    /// <summary>
    /// The in-process proxy as the chart's proxy is seen in a member: a Service labelled as the chart labels it, with
    /// the proxy's address as its endpoint, which is what the control plane points the derived Services at.
    /// </summary>
    private async Task PublishProxyAsync(string memberName, System.Net.IPEndPoint proxy, CancellationToken cancellationToken)
    {
        const string ns = "erie-canal-system", name = "erie-canal-orleans-proxy";
        using var client = Client(memberName);
        await CreateOrKeepAsync(() => client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken));
        await CreateOrKeepAsync(() => client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = name,
                    ["app.kubernetes.io/component"] = "proxy",
                    ["app.kubernetes.io/part-of"] = "erie-canal-orleans",
                },
            },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 8080, TargetPort = proxy.Port }] },
        }, ns, cancellationToken: cancellationToken));
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = name + "-embedded",
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/service-name"] = name,
                    ["endpointslice.kubernetes.io/managed-by"] = "erie-canal-orleans-embedded",
                },
            },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = proxy.Port, Protocol = "TCP" }],
            Endpoints = [new V1Endpoint { Addresses = [proxy.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
        };
        try
        {
            await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // A restart on the same sandbox: the proxy has a new port.
            slice.Metadata.ResourceVersion = (await client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(slice.Metadata.Name, ns, cancellationToken: cancellationToken)).Metadata.ResourceVersion;
            await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, ns, cancellationToken: cancellationToken);
        }
    }

    private static async Task CreateOrKeepAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>
    /// The member's kube-system/coredns Corefile gets the stub zone docs/clusterset-dns.md gives users (the sandbox's
    /// cluster DNS reads it as CoreDNS's reload plugin would), so its pods resolve <c>clusterset.local</c> names.
    /// </summary>
    private async Task ForwardClustersetZoneAsync(string memberName, System.Net.IPEndPoint dns, CancellationToken cancellationToken)
    {
        var corefile = $$"""
            .:53 {
                errors
                health
                kubernetes cluster.local in-addr.arpa ip6.arpa
                forward . /etc/resolv.conf
                cache 30
                reload
            }
            clusterset.local:53 {
                errors
                cache 5
                forward . {{dns}}
            }

            """;
        using var client = Client(memberName);
        var configMap = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "coredns", NamespaceProperty = "kube-system" },
            Data = new Dictionary<string, string> { ["Corefile"] = corefile },
        };
        try
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, "kube-system", cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, "coredns", "kube-system", cancellationToken: cancellationToken);
        }
    }

    public Kubernetes Client(string clusterName)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Sandbox[clusterName].Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    /// <summary>Creates the member's Cluster object on the control plane, as the seed's kubectl apply does.</summary>
    public async Task RegisterAsync(string memberName, string? kubeconfig = null, string region = "default", CancellationToken cancellationToken = default)
    {
        var member = Sandbox[memberName];
        var cluster = new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = memberName },
            Spec = new ClusterResourceSpec
            {
                Region = region,
                GatewayHost = "127.0.0.1",
                GatewayPort = member.Gateway.Port,
                Kubeconfig = kubeconfig ?? member.Kubeconfig(),
            },
        };
        using var client = Client(ControlPlaneName);
        try
        {
            await client.CustomObjects.CreateClusterCustomObjectAsync(cluster, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Already registered (a restart on the same sandbox): keep it.
        }
    }

    /// <summary>The system's CRDs (charts/erie-canal-orleans/crds, embedded in the watchers' assembly).</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> LoadCrds() => CrdManifests.Load();

    private static async Task ApplyCrdAsync(IKubernetes client, V1CustomResourceDefinition crd, CancellationToken cancellationToken)
    {
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (gateway, proxy, dns) in _members.Values)
        {
            await gateway.DisposeAsync();
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            if (dns is not null)
            {
                await dns.DisposeAsync();
            }
        }

        await Sandbox.DisposeAsync();
    }
}
