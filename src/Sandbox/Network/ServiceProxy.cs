using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Simulation;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// kube-proxy in its old userspace mode: every TCP port of every Service with a cluster IP is a real listener on
/// that (loopback) address, and each accepted connection is relayed to a ready endpoint picked at random at connect
/// time. Real containers share the host's network, so this is how a process in one reaches a Service as a pod would;
/// the simulated exec routes through <see cref="ClusterNames"/> without sockets.
/// </summary>
public sealed class ServiceProxy : IClusterController, IAsyncDisposable
{
    private const string Services = "services";
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly SandboxCluster _cluster;
    private readonly ClusterNames _names;
    private readonly Channel<(string Namespace, string Name)> _changes = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string Namespace, string Name), ServiceListeners> _listening = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ServiceProxy(SandboxCluster cluster, ClusterNames names)
    {
        _cluster = cluster;
        _names = names;
    }

    /// <summary>The cluster IP endpoints currently listening.</summary>
    public IReadOnlyCollection<IPEndPoint> Listening => [.. _listening.Values.SelectMany(l => l.EndPoints)];

    public void Start()
    {
        if (_loop is not null)
        {
            return;
        }

        foreach (var service in _cluster.Store.List(Services, null).Items)
        {
            _changes.Writer.TryWrite((service["metadata"]?["namespace"]?.GetValue<string>() ?? "", service["metadata"]?["name"]?.GetValue<string>() ?? ""));
        }

        _loop = Task.Run(RunAsync);
    }

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        if (e.StorageKey == Services)
        {
            _changes.Writer.TryWrite((e.Namespace, e.Name));
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var key in _changes.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await ReconcileAsync(key.Namespace, key.Name);
                }
                catch (SocketException ex)
                {
                    // The address is taken (another process on this machine): try again shortly, as kube-proxy resyncs.
                    await Console.Error.WriteLineAsync($"sandbox {_cluster.Name}: service {key.Namespace}/{key.Name} cannot listen: {ex.Message}");
                    _ = Task.Delay(RetryAfterFailure, _stop.Token).ContinueWith(_ => _changes.Writer.TryWrite(key), TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReconcileAsync(string ns, string name)
    {
        var service = _cluster.Store.Get(Services, ns, name);
        var wanted = service is null ? [] : WantedEndPoints(service);
        if (service is not null && wanted.Count > 0)
        {
            AssignLoadBalancer(service, wanted[0].Address);
        }

        if (_listening.TryGetValue((ns, name), out var current))
        {
            if (current.EndPoints.SequenceEqual(wanted))
            {
                return;
            }

            // Closed before it leaves the map, so what Listening reports is never still accepting.
            await current.DisposeAsync();
            _listening.TryRemove((ns, name), out _);
        }

        if (wanted.Count > 0)
        {
            _listening[(ns, name)] = ServiceListeners.Start(wanted, port => Route(ns, name, port), _stop.Token);
        }
    }

    /// <summary>
    /// A LoadBalancer Service gets its cluster IP as its load balancer's address, as a bare-metal load balancer
    /// (MetalLB, minikube tunnel) announces one: the address a member's gateway is reached at from other clusters.
    /// </summary>
    private void AssignLoadBalancer(JsonObject service, IPAddress address)
    {
        var ip = address.ToString();
        if (service["spec"]?["type"]?.GetValue<string>() != "LoadBalancer"
            || (service["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Any(i => i?["ip"]?.GetValue<string>() == ip))
        {
            return;
        }

        var status = service["status"]?.DeepClone() as JsonObject ?? [];
        status["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = ip, ["ipMode"] = "VIP" }) };
        StoreOps.SetStatus(_cluster.Store, Services, service["metadata"]?["namespace"]?.GetValue<string>() ?? "", StoreOps.Name(service), status);
    }

    private IPEndPoint? Route(string ns, string name, int port) =>
        _cluster.Store.Get(Services, ns, name) is { } service ? _names.PickEndpoint(service, port) : null;

    private static List<IPEndPoint> WantedEndPoints(JsonObject service)
    {
        var spec = service["spec"];
        if (!IPAddress.TryParse(spec?["clusterIP"]?.GetValue<string>(), out var ip) || !IPAddress.IsLoopback(ip))
        {
            return [];
        }

        return [.. (spec?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => (p["protocol"]?.GetValue<string>() ?? "TCP") == "TCP")
            .Select(p => (int)(JsonTree.GetInt64(p, "port") ?? 0))
            .Where(p => p is > 0 and <= 65535)
            .Distinct()
            .Order()
            .Select(p => new IPEndPoint(ip, p))];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _changes.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }

        foreach (var key in _listening.Keys.ToList())
        {
            if (_listening.TryRemove(key, out var listeners))
            {
                await listeners.DisposeAsync();
            }
        }

        _stop.Dispose();
    }
}
