using ErieCanal.Orleans.DataPlane.MemberView;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// YARP's view of the gateway: one catch-all route (the ingress match is ours, with Kubernetes semantics) and one
/// cluster per Ingress backend with its ready pods as destinations. A new snapshot signals the old one's change
/// token; YARP swaps atomically and requests in flight keep the cluster state they started with.
/// </summary>
public sealed class GatewayConfigProvider : IProxyConfigProvider
{
    public const string RouteId = "ingress";

    /// <summary>The catch-all route's own cluster; the route step reassigns every matched request away from it.</summary>
    public const string UnroutedClusterId = "erie-canal-unrouted";

    private static readonly RouteConfig CatchAll = new()
    {
        RouteId = RouteId,
        ClusterId = UnroutedClusterId,

        // Behind /healthz and /readyz (order 0), whatever paths the Ingresses claim.
        Order = 1,
        Match = new RouteMatch { Path = "/{**path}" },
        Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
    };

    private readonly TimeSpan _activityTimeout;
    private volatile Snapshot _current;

    public GatewayConfigProvider(TimeSpan activityTimeout)
    {
        _activityTimeout = activityTimeout;
        _current = new Snapshot([Cluster(UnroutedClusterId, [], activityTimeout)]);
    }

    public IProxyConfig GetConfig() => _current;

    /// <summary>Publishes the clusters of <paramref name="table"/>; false when nothing changed.</summary>
    public bool Update(IngressRouteTable table)
    {
        var clusters = new List<ClusterConfig> { Cluster(UnroutedClusterId, [], _activityTimeout) };
        clusters.AddRange(table.Clusters.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => Cluster(c.Key, c.Value, _activityTimeout)));
        var previous = _current;
        if (previous.Clusters.SequenceEqual(clusters))
        {
            return false;
        }

        _current = new Snapshot(clusters);
        previous.Changed();
        return true;
    }

    private static ClusterConfig Cluster(string id, IReadOnlyList<PodEndpoint> endpoints, TimeSpan activityTimeout) => new()
    {
        ClusterId = id,
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = activityTimeout },
        Destinations = endpoints.ToDictionary(e => e.Authority, e => new DestinationConfig { Address = $"http://{e.Authority}" }, StringComparer.Ordinal),
    };

    private sealed class Snapshot : IProxyConfig
    {
        private readonly CancellationTokenSource _change = new();

        public Snapshot(IReadOnlyList<ClusterConfig> clusters)
        {
            Clusters = clusters;
            ChangeToken = new CancellationChangeToken(_change.Token);
        }

        public IReadOnlyList<RouteConfig> Routes { get; } = [CatchAll];

        public IReadOnlyList<ClusterConfig> Clusters { get; }

        public IChangeToken ChangeToken { get; }

        public void Changed() => _change.Cancel();
    }
}
