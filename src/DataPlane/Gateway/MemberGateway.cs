using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.DataPlane.Telemetry;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// A member's gateway: a reverse proxy (YARP) routing by the member's Ingresses of one class to the ready pods of
/// their backend Services, round-robin. No matching route: 404 "Service Not Found"; a route with no ready pod: 503.
/// </summary>
public static class MemberGateway
{
    public const string NotFoundBody = "Service Not Found";

    // The failure reason of a request for a backend with no ready pod (503).
    private const string NoEndpoint = "no_endpoint";

    private static readonly TimeSpan ApplyWait = TimeSpan.FromSeconds(2);

    /// <summary>Starts a gateway reading the member through <paramref name="kubeconfig"/> (text); the client is owned and disposed with it.</summary>
    public static Task<DataPlaneServer> StartAsync(GatewayOptions options, string kubeconfig, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new GatewayOptionsValidator());
        return DataPlaneStart.FromKubeconfigAsync(kubeconfig, options.KubernetesRequestTimeout, (client, owned) => StartCoreAsync(options, client, owned, loggerFactory, TimeProvider.System, cancellationToken));
    }

    /// <summary>Starts a gateway over a client the caller owns (and disposes after the gateway).</summary>
    public static Task<DataPlaneServer> StartAsync(GatewayOptions options, IKubernetes client, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        DataPlaneStart.Validate(options, new GatewayOptionsValidator());
        return DataPlaneStart.WithClientAsync(client, (c, owned) => StartCoreAsync(options, c, owned, loggerFactory, TimeProvider.System, cancellationToken));
    }

    private static async Task<DataPlaneServer> StartCoreAsync(GatewayOptions options, IKubernetes client, IDisposable? ownedClient, ILoggerFactory? loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(MemberGateway).FullName!);
        var member = string.IsNullOrEmpty(options.MemberName) ? "the member" : options.MemberName;
        var informers = new MemberInformers(options.Informer, logger);
        var ingresses = informers.Add(ResourceSources.Ingresses(client, $"ingresses on {member}"));
        var services = informers.Add(ResourceSources.Services(client, $"services on {member}"));
        var slices = informers.Add(ResourceSources.EndpointSlices(client, $"endpointslices on {member}"));

        // What tunnels may reach. Either CRD may be missing from a member: then nothing is exported through it.
        var flomeshExports = informers.Add(
            ResourceSources.Custom<ServiceExportResource>(client, ServiceExportResource.Group, ServiceExportResource.Version, ServiceExportResource.Plural, namespaced: true, $"serviceexports.{ServiceExportResource.Group} on {member}"),
            optional: true);
        var mcsExports = informers.Add(
            ResourceSources.Custom<McsServiceExportResource>(client, McsNames.Group, McsNames.Version, McsNames.ServiceExports, namespaced: true, $"{McsNames.ServiceExports}.{McsNames.Group} on {member}"),
            optional: true);

        var provider = new GatewayConfigProvider(options.ActivityTimeout);
        var metrics = new DataPlaneMetrics("gateway", options.MemberName);
        var cluster = string.IsNullOrEmpty(options.ClusterKey) ? options.MemberName : options.ClusterKey;
        var labels = new ServiceLabels();
        var table = IngressRouteTable.Empty;
        var tunnelTargets = TunnelTargets.Empty;

        var clustersApplied = new ClustersApplied();
        var builder = DataPlaneApp.CreateBuilder(options.Listen, loggerFactory, halfClose: true);
        builder.Services.AddSingleton<IProxyConfigProvider>(provider);
        builder.Services.AddSingleton<IClusterChangeListener>(clustersApplied);
        builder.Services.AddDataPlaneMetrics(metrics);
        builder.Services.AddReverseProxy().AddTransforms(context => context.AddRequestTransform(transform =>
        {
            if (transform.HttpContext.Features.Get<PathRewrite>() is { } rewrite)
            {
                transform.Path = new PathString(rewrite.Apply(transform.Path.Value ?? "/"));
            }

            return ValueTask.CompletedTask;
        }));

        var app = builder.Build();
        var lookup = app.Services.GetRequiredService<IProxyStateLookup>();
        var models = new BackendRouteModels();
        app.UseDataPlaneMetricsEndpoint();
        var tunnels = new GatewayTunnels(() => Volatile.Read(ref tunnelTargets), metrics, member, cluster, options.ConnectTimeout, logger);
        app.Use(async (context, next) =>
        {
            if (GatewayTunnels.IsTunnel(context))
            {
                await tunnels.HandleAsync(context);
                return;
            }

            await next();
        });
        app.Lifetime.ApplicationStopped.Register(metrics.Dispose);
        DataPlaneApp.MapProbes(app, () => informers.Synced);
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(async (context, next) =>
            {
                var path = context.Request.Path.Value is { Length: > 0 } p ? p : "/";
                var route = Volatile.Read(ref table).Match(context.Request.Host.Host, path);
                if (route is null)
                {
                    logger.NoRoute(member, context.Request.Host.Host, path);
                    await DataPlaneApp.WriteTextAsync(context, StatusCodes.Status404NotFound, NotFoundBody);
                    return;
                }

                var service = labels.For(route.ClusterId);
                metrics.Request(cluster, service);
                if (!lookup.TryGetCluster(route.ClusterId, out var backend))
                {
                    metrics.Failure(cluster, service, NoEndpoint);
                    await DataPlaneApp.WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "no ready endpoint");
                    return;
                }

                // A route model per backend, so round-robin counts per backend rather than across the whole gateway.
                context.ReassignProxyRequest(models.For(context.GetReverseProxyFeature().Route, backend), backend);
                if (route.Rewrite is not null)
                {
                    context.Features.Set(route.Rewrite);
                }

                await next();
                if (context.Features.Get<IForwarderErrorFeature>() is { } error)
                {
                    var reason = error.Error == ForwarderError.NoAvailableDestinations ? NoEndpoint : AttemptFailures.Of(error.Error, error.Exception)?.Label();
                    if (reason is not null)
                    {
                        metrics.Failure(cluster, service, reason);
                    }
                }
                else if (context.Response.StatusCode >= 500)
                {
                    metrics.Failure(cluster, service, AttemptFailure.Status5xx.Label());
                }
            });
            pipeline.UseLoadBalancing();
        });

        var stop = new CancellationTokenSource();
        Task rebuilding = Task.CompletedTask;
        try
        {
            await app.StartAsync(cancellationToken);
            informers.Start();
            rebuilding = informers.Changed.RunAsync(
                async () =>
                {
                    var directory = ServiceDirectory.Build(services(), slices());
                    Volatile.Write(ref tunnelTargets, TunnelTargets.Build(directory, flomeshExports(), mcsExports()));
                    var next = IngressRouteTable.Build(
                        ingresses(),
                        directory,
                        options.IngressClass,
                        (ingress, reason) => logger.PathSkipped(member, ingress, reason));
                    var changed = provider.Update(next);
                    if (changed)
                    {
                        await WaitUntilAppliedAsync(lookup, clustersApplied.Signal, next, time, logger, member, stop.Token);
                    }

                    Volatile.Write(ref table, next);
                    models.Reset();
                    if (changed)
                    {
                        logger.Reconfigured(member, next.Routes.Count, next.Clusters.Count, next.Clusters.Values.Sum(e => e.Count));
                    }
                },
                ex => logger.RebuildFailed(ex, member),
                stop.Token);
        }
        catch
        {
            await stop.CancelAsync();
            await informers.DisposeAsync();
            await app.DisposeAsync();
            metrics.Dispose();
            stop.Dispose();
            throw;
        }

        var server = new DataPlaneServer(app, informers, stop, rebuilding, ownedClient);
        logger.Started(member, server.Address, options.IngressClass);
        return server;
    }

    /// <summary>
    /// YARP applies a new config on its change callback; routes go live only once their backends exist there. Waits
    /// for YARP's cluster changes (no polling), up to <see cref="ApplyWait"/>.
    /// </summary>
    private static async Task WaitUntilAppliedAsync(IProxyStateLookup lookup, ChangeSignal clustersChanged, IngressRouteTable table, TimeProvider time, ILogger logger, string member, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ApplyWait, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        foreach (var id in table.Clusters.Keys)
        {
            while (!lookup.TryGetCluster(id, out _))
            {
                try
                {
                    await clustersChanged.WaitAsync(wait.Token);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    logger.ClusterNotApplied(member, id, ApplyWait);
                    return;
                }
            }
        }
    }

    /// <summary>Raised whenever YARP adds or changes a cluster (after it can be looked up).</summary>
    private sealed class ClustersApplied : IClusterChangeListener
    {
        public ChangeSignal Signal { get; } = new();

        public void OnClusterAdded(ClusterState cluster) => Signal.Raise();

        public void OnClusterChanged(ClusterState cluster) => Signal.Raise();

        public void OnClusterRemoved(ClusterState cluster)
        {
        }
    }
}
