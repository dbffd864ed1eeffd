using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Auth;
using ErieCanal.Orleans.Sandbox.Containers;
using ErieCanal.Orleans.Sandbox.Faults;
using ErieCanal.Orleans.Sandbox.Network;
using ErieCanal.Orleans.Sandbox.Pods;
using ErieCanal.Orleans.Sandbox.Resources;
using ErieCanal.Orleans.Sandbox.Simulation;
using ErieCanal.Orleans.Sandbox.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// One simulated Kubernetes cluster: its store, served resources, controllers, faults, and the HTTP server on
/// 127.0.0.1 that kubectl and KubernetesClient talk to. Going offline stops the listener (connections refused);
/// coming back listens again on the same port with the same state.
/// </summary>
public sealed class SandboxCluster : IAsyncDisposable
{
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ControllerLoop _controllers;
    private WebApplication? _app;

    public SandboxCluster(string name, int index, SandboxClusterOptions? options = null)
    {
        Name = name;
        Options = options ?? new SandboxClusterOptions();
        Store = new ObjectStore(Options.HistoryLimit);
        Catalog = new ResourceCatalog();
        Store.Committed += e => CrdRegistrar.OnCommitted(Catalog, e);
        ServiceIps = new ServiceIpAllocator(96 + (index % 32));
        PodIps = new PodIpAllocator(160 + (index % 32));
        Token = $"sandbox-{name}-{Guid.NewGuid():N}";
        Auth = new ClusterAuth(name, Store, Token);
        Deleter = new ResourceHandler(this);
        Gateway = new SandboxGateway(name);
        PodServers = new PodServers(this);
        Names = new ClusterNames(this);
        ServiceProxy = Options.ServeClusterNetwork ? new ServiceProxy(this, Names) : null;
        Kubelet = new ContainerKubelet(this);
        _controllers = new ControllerLoop(this, [new WorkloadController(this), new EndpointsController(this), new EndpointSliceMirroring(this), new GarbageCollector(this), PodServers, Kubelet,
            new StatefulSetController(this), new ServiceAccountController(this), new RootCaPublisher(this), new ClusterRoleAggregationController(this),
            new VolumeClaimBinder(this), new DisruptionBudgetController(this), .. ServiceProxy is null ? Array.Empty<IClusterController>() : [ServiceProxy]]);
        SeedNamespaces();
        BootstrapPolicy.Seed(Store);
    }

    public string Name { get; }

    public SandboxClusterOptions Options { get; }

    public ObjectStore Store { get; }

    public ResourceCatalog Catalog { get; }

    public FaultInjector Faults { get; } = new();

    /// <summary>The connections the API port holds open (HTTP/1.1 and HTTP/2 prior knowledge, both served there).</summary>
    public ConnectionCounts Connections { get; } = new();

    /// <summary>The member's gateway address as the outside world sees it (not started until asked for).</summary>
    public SandboxGateway Gateway { get; }

    /// <summary>
    /// The member's client-side proxy (the mesh sidecar's job), when one runs: simulated containers send their HTTP
    /// requests through it. Set by whoever runs the data plane for this member.
    /// </summary>
    public Uri? ClientProxy { get; set; }

    /// <summary>
    /// The member's <c>clusterset.local</c> DNS server (KEP-1645), when one runs: the control API reports it, so
    /// <c>dig @address -p port</c> works from the host. Set by whoever runs the data plane for this member.
    /// </summary>
    public System.Net.IPEndPoint? ClustersetDns { get; set; }

    public ServiceIpAllocator ServiceIps { get; }

    public PodIpAllocator PodIps { get; }

    /// <summary>The HTTP servers of the pods that declare ports (they serve while the API server is offline too).</summary>
    public PodServers PodServers { get; }

    /// <summary>The cluster's names and Service addresses, as its DNS and kube-proxy see them.</summary>
    public ClusterNames Names { get; }

    /// <summary>
    /// The cluster's DNS server (port 53 on its own loopback address), once started, with
    /// <see cref="SandboxClusterOptions.ServeClusterNetwork"/>; what real containers' resolv.conf names.
    /// </summary>
    public ClusterDnsServer? Dns { get; private set; }

    /// <summary>kube-proxy's cluster IP listeners, with <see cref="SandboxClusterOptions.ServeClusterNetwork"/>.</summary>
    public ServiceProxy? ServiceProxy { get; }

    /// <summary>Runs the pods of given images as runc containers (the other pods stay simulated).</summary>
    public ContainerKubelet Kubelet { get; }

    /// <summary>The bearer token the cluster's kubeconfig carries; any other credential gets 401.</summary>
    public string Token { get; }

    /// <summary>
    /// The plain-HTTP API port: kube-apiserver's old "insecure port". No authentication or authorization runs there
    /// (a request without credentials, or with the admin token, is the all-powerful admin), so the sandbox's own
    /// kubeconfigs, tests and tools keep working; any other credential is refused with 401.
    /// </summary>
    public int Port { get; private set; }

    public Uri Server => new($"http://127.0.0.1:{Port}");

    /// <summary>The HTTPS API port (ALPN h2 and http/1.1): bearer tokens are authenticated and RBAC authorizes, as on a real cluster.</summary>
    public int SecurePort { get; private set; }

    public Uri SecureServer => new($"https://127.0.0.1:{SecurePort}");

    /// <summary>Authentication (the admin and ServiceAccount tokens), RBAC, and the cluster's CA and serving certificate.</summary>
    public ClusterAuth Auth { get; }

    /// <summary>The cluster CA that signed the HTTPS port's certificate (PEM): a pod's ca.crt, a kubeconfig's certificate-authority-data.</summary>
    public string CaCertificatePem => Auth.Certificates.AuthorityPem;

    /// <summary>A token for a pod's ServiceAccount, as the kubelet projects it into the pod (for the pod runtime).</summary>
    public string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime) =>
        Auth.IssueServiceAccountToken(ns, serviceAccount, podName, podUid, lifetime);

    /// <summary>Whether a request came over the HTTPS port (a real TLS handshake), where authentication and RBAC apply.</summary>
    internal static bool IsSecure(HttpContext context) => context.Features.Get<ITlsHandshakeFeature>() is not null;

    internal ResourceHandler Deleter { get; }

    internal CancellationToken Stopping => _controllers.Stopping;

    public async Task StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_app is not null)
            {
                return;
            }

            _app = await ListenAsync(port == 0 ? Port : port, SecurePort, cancellationToken);
            if (Port == 0)
            {
                PodServers.Start();
                _controllers.Start();
                if (ServiceProxy is not null)
                {
                    Dns = ClusterDnsServer.Start(Names, new CoreDnsConfigMap(Store).StubZones, IPAddress.Parse(PodIps.Allocate()));
                    ServiceProxy.Start();
                }
            }

            var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
            Port = addresses.First(a => a.Scheme == "http").Port;
            SecurePort = addresses.First(a => a.Scheme == "https").Port;
            Faults.Offline = false;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops listening: new connections are refused and open ones (watches included) break.</summary>
    public async Task GoOfflineAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_app is null)
            {
                return;
            }

            Faults.Offline = true;
            Faults.DropWatches();
            await _app.StopAsync(TimeSpan.FromSeconds(2) is var grace ? new CancellationTokenSource(grace).Token : cancellationToken);
            await _app.DisposeAsync();
            _app = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public Task GoOnlineAsync(CancellationToken cancellationToken = default) => StartAsync(Port, cancellationToken);

    /// <summary>A kubeconfig (YAML) whose single context points at this cluster.</summary>
    public string Kubeconfig() => KubeconfigWriter.Write([this], Name);

    /// <summary>Creates an object directly in the store, bypassing HTTP (for seeding tests).</summary>
    public JsonObject Seed(string storageKey, string ns, JsonObject obj) => Store.Create(storageKey, ns, obj);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await GoOfflineAsync();
        await _controllers.DisposeAsync();
        await Kubelet.DisposeAsync();
        await PodServers.DisposeAsync();
        if (ServiceProxy is not null)
        {
            await ServiceProxy.DisposeAsync();
        }

        Dns?.Dispose();
        Auth.Dispose();
        _lifecycle.Dispose();
    }

    private async Task<WebApplication> ListenAsync(int port, int securePort, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = Options.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                listen.Use(CleartextHttp2.Middleware(Connections, detect: Options.Http2));
            });
            k.Listen(IPAddress.Loopback, securePort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(Auth.Certificates.Serving);
            });

            // HTTP/2 connections carry the TLS feature the preface detection sets, so Kestrel takes the transport
            // for https; the requests' own :scheme (http) is the one to believe.
            k.AllowAlternateSchemes = true;
            k.Limits.MaxRequestBodySize = RequestBody.MaxBytes * 2L;
            k.AllowSynchronousIO = false;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new ClusterApi(this);
        app.UseWebSockets(); // pods/{name}/exec speaks the streaming protocol over WebSockets
        app.Run(api.HandleAsync);
        await app.StartAsync(cancellationToken);
        return app;
    }

    private void SeedNamespaces()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Store.Create("namespaces", "", new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns }, ["generation"] = 1 },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            });
            ServiceAccountController.EnsureDefault(Store, ns);
            RootCaPublisher.Ensure(Store, ns, CaCertificatePem);
        }
    }
}
