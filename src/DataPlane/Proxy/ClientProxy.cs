using System.Net;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.DataPlane.Proxy.Listeners;
using ErieCanal.Orleans.DataPlane.Proxy.Tcp;
using ErieCanal.Orleans.DataPlane.Telemetry;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// A member's client-side proxy (the mesh sidecar's job): an explicit HTTP proxy that sends http://svc.ns:port/
/// requests to the member's own ready pods or, through the ServiceImport's status.routing, to other members'
/// gateways. It reads only its own member, by watch, so it keeps routing with no control plane at all.
/// </summary>
public static class ClientProxy
{
    /// <summary>Starts a proxy reading the member through <paramref name="kubeconfig"/> (text); the client is owned and disposed with it.</summary>
    public static Task<DataPlaneServer> StartAsync(ProxyOptions options, string kubeconfig, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new ProxyOptionsValidator());
        return DataPlaneStart.FromKubeconfigAsync(kubeconfig, options.KubernetesRequestTimeout, (client, owned) => StartCoreAsync(options, client, owned, loggerFactory, TimeProvider.System, cancellationToken));
    }

    /// <summary>As <see cref="StartAsync(ProxyOptions, string, ILoggerFactory?, CancellationToken)"/>, with the clock of the outlier detector's cool-offs (tests).</summary>
    internal static Task<DataPlaneServer> StartAsync(ProxyOptions options, string kubeconfig, TimeProvider clock, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new ProxyOptionsValidator());
        return DataPlaneStart.FromKubeconfigAsync(kubeconfig, options.KubernetesRequestTimeout, (client, owned) => StartCoreAsync(options, client, owned, loggerFactory, clock, cancellationToken));
    }

    /// <summary>Starts a proxy over a client the caller owns (and disposes after the proxy).</summary>
    public static Task<DataPlaneServer> StartAsync(ProxyOptions options, IKubernetes client, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new ProxyOptionsValidator());
        return DataPlaneStart.WithClientAsync(client, (c, owned) => StartCoreAsync(options, c, owned, loggerFactory, TimeProvider.System, cancellationToken));
    }

    private static async Task<DataPlaneServer> StartCoreAsync(ProxyOptions options, IKubernetes client, IDisposable? ownedClient, ILoggerFactory? loggerFactory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(ClientProxy).FullName!);
        var member = string.IsNullOrEmpty(options.MemberName) ? options.ClusterKey : options.MemberName;
        var informers = new MemberInformers(options.Informer, logger);
        var imports = informers.Add(ResourceSources.Custom<ServiceImportResource>(
            client, ServiceImportResource.Group, ServiceImportResource.Version, ServiceImportResource.Plural, namespaced: true, $"serviceimports on {member}"));
        var services = informers.Add(ResourceSources.Services(client, $"services on {member}"));
        var slices = informers.Add(ResourceSources.EndpointSlices(client, $"endpointslices on {member}"));
        // multicluster.x-k8s.io imports: optional, so a member without the MCS CRDs still gets a ready proxy.
        var mcsImports = informers.Add(McsSources.ServiceImports(client, member), optional: true);
        var table = ProxyRouteTable.Empty(options.ClusterKey);
        var mcsTable = McsRouteTable.Empty;
        var mcsBalancers = new System.Collections.Concurrent.ConcurrentDictionary<string, SmoothWeightedBalancer>(StringComparer.Ordinal);

        var metrics = new DataPlaneMetrics("proxy", member);
        var outliers = new OutlierDetector(options.Ejection, clock);
        outliers.Ejected += (cluster, service, key, coolOff) =>
        {
            metrics.Ejection(cluster, service);
            logger.Ejected(service, key, cluster, coolOff);
        };
        metrics.ObserveEjected(outliers.Snapshot);

        var builder = DataPlaneApp.CreateBuilder(options.Listen, loggerFactory);
        builder.Services.AddHttpForwarder();
        builder.Services.AddDataPlaneMetrics(metrics);
        var app = builder.Build();

        var invokers = new ProxyInvokers(options);
        var mcsRoutes = new LiveMcsRoutes(() => Volatile.Read(ref mcsTable));
        var handler = new ProxyRequestHandler(
            () => Volatile.Read(ref table),
            () => informers.Synced,
            app.Services.GetRequiredService<IHttpForwarder>(),
            invokers,
            new ForwarderRequestConfig { ActivityTimeout = options.ActivityTimeout, Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower },
            outliers,
            metrics,
            options,
            mcsRoutes,
            logger);
        app.UseDataPlaneMetricsEndpoint();
        app.Run(handler.HandleAsync);
        app.Lifetime.ApplicationStopped.Register(invokers.Dispose);

        // The per-port listeners (proxy-fronted Services' ports) on the listen address: closed as the server stops.
        var tunnels = new TunnelClient(options.ConnectTimeout);
        var connections = new ListenerConnections(
            app.Services.GetRequiredService<AdoptedConnections>(),
            new TcpForwarder(() => Volatile.Read(ref table), mcsRoutes, tunnels, outliers, metrics, options, logger),
            options.SniffTimeout);
        var listeners = new PortListeners(ListenAddress.Parse(options.Listen).Address ?? IPAddress.Loopback, connections.ServeAsync, metrics, logger);
        app.Lifetime.ApplicationStopping.Register(listeners.Dispose);
        app.Lifetime.ApplicationStopped.Register(tunnels.Dispose);
        app.Lifetime.ApplicationStopped.Register(metrics.Dispose);

        var stop = new CancellationTokenSource();
        Task rebuilding;
        try
        {
            await app.StartAsync(cancellationToken);
            informers.Start();
            rebuilding = informers.Changed.RunAsync(
                () =>
                {
                    var next = ProxyRouteTable.Build(imports(), ServiceDirectory.Build(services(), slices()), options.ClusterKey, Volatile.Read(ref table));
                    Volatile.Write(ref table, next);
                    Volatile.Write(ref mcsTable, McsRouteTable.Build(mcsImports(), slices(), mcsBalancers));
                    var (wanted, refused) = ListenerPlan.Build(slices(), options.ListenerFirstPort, options.ListenerLastPort);
                    listeners.Apply(wanted, refused);
                    var routed = next.RoutedAddresses();
                    routed.UnionWith(Volatile.Read(ref mcsTable).RoutedAddresses());
                    outliers.Retain((service, key) => routed.Contains((service, key)));
                    logger.Rebuilt(member, next.ImportCount);
                    return Task.CompletedTask;
                },
                ex => logger.RebuildFailed(ex, member),
                stop.Token);
        }
        catch
        {
            await stop.CancelAsync();
            await informers.DisposeAsync();
            listeners.Dispose();
            await app.DisposeAsync();
            invokers.Dispose();
            tunnels.Dispose();
            metrics.Dispose();
            stop.Dispose();
            throw;
        }

        var server = new DataPlaneServer(app, informers, stop, rebuilding, ownedClient);
        logger.Started(member, options.ClusterKey, server.Address);
        return server;
    }
}
