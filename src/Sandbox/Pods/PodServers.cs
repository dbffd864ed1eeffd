using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Simulation;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Pods;

/// <summary>
/// The simulated kubelet's containers: a pod that has an IP and declares TCP container ports gets a
/// <see cref="PodServer"/> on that IP and those ports, and loses it when the pod is deleted (or terminates). The
/// workload controller holds a pod Pending until its server listens, as a readiness probe would, so a Ready
/// endpoint always answers.
/// </summary>
public sealed class PodServers : IClusterController, IAsyncDisposable
{
    private const string Pods = "pods";
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly SandboxCluster _cluster;
    private readonly Channel<(string Namespace, string Name)> _changes = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string Namespace, string Name), Serving> _serving = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public PodServers(SandboxCluster cluster)
    {
        _cluster = cluster;
    }

    /// <summary>How many pods currently listen.</summary>
    public int Count => _serving.Count;

    public void Start() => _loop ??= Task.Run(RunAsync);

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        if (e.StorageKey == Pods)
        {
            _changes.Writer.TryWrite((e.Namespace, e.Name));
        }
    }

    /// <summary>Whether the pod with this name and uid listens on its ports now.</summary>
    public bool IsServing(string ns, string name, string uid) =>
        _serving.TryGetValue((ns, name), out var serving) && serving.Uid == uid;

    /// <summary>The distinct TCP container ports a pod declares (<c>spec.containers[].ports[].containerPort</c>).</summary>
    public static IReadOnlyList<int> DeclaredPorts(JsonObject pod) =>
        (pod["spec"]?["containers"] as JsonArray ?? [])
            .SelectMany(c => c?["ports"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(p => (p["protocol"]?.GetValue<string>() ?? "TCP") == "TCP")
            .Select(p => (int)(JsonTree.GetInt64(p, "containerPort") ?? 0))
            .Where(p => p is > 0 and <= 65535)
            .Distinct()
            .ToList();

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
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A pod that cannot listen (its address taken by another process) stays Pending; retry later.
                    await Console.Error.WriteLineAsync($"sandbox {_cluster.Name}: pod {key.Namespace}/{key.Name} cannot serve: {ex.Message}");
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
        var pod = _cluster.Store.Get(Pods, ns, name);
        var uid = pod is null ? "" : StoreOps.Uid(pod);
        // Pods of given images are real containers that listen for themselves.
        var wanted = pod is not null && !_cluster.Kubelet.Runs(pod) && ShouldServe(pod, out _, out _);
        if (_serving.TryGetValue((ns, name), out var current) && (!wanted || current.Uid != uid))
        {
            _serving.TryRemove((ns, name), out _);
            await current.Server.DisposeAsync();
        }

        if (pod is null || !wanted || _serving.ContainsKey((ns, name)) || !ShouldServe(pod, out var address, out var ports))
        {
            return;
        }

        var server = await PodServer.StartAsync(name, address, ports, _cluster.Faults.Workloads, Workload(pod, ns), _stop.Token);
        _serving[(ns, name)] = new Serving(uid, server);
    }

    private static bool ShouldServe(JsonObject pod, out IPAddress address, out IReadOnlyList<int> ports)
    {
        ports = DeclaredPorts(pod);
        address = IPAddress.None;
        var phase = pod["status"]?["phase"]?.GetValue<string>();
        return ports.Count > 0
            && !StoreOps.Deleting(pod)
            && phase is not ("Succeeded" or "Failed")
            && pod["status"]?["podIP"]?.GetValue<string>() is { } ip
            && IPAddress.TryParse(ip, out address!)
            && IPAddress.IsLoopback(address);
    }

    /// <summary>The Deployment that owns the pod through its ReplicaSet, whose faults the pod answers with.</summary>
    private (string, string)? Workload(JsonObject pod, string ns)
    {
        var replicaSet = Owner(pod, "ReplicaSet");
        var deployment = replicaSet is null ? null : _cluster.Store.Get("replicasets.apps", ns, replicaSet) is { } rs ? Owner(rs, "Deployment") : null;
        return deployment is null ? null : (ns, deployment);
    }

    private static string? Owner(JsonObject obj, string kind) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.FirstOrDefault(r => r?["kind"]?.GetValue<string>() == kind)?["name"]?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _changes.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }

        foreach (var key in _serving.Keys.ToList())
        {
            if (_serving.TryRemove(key, out var serving))
            {
                await serving.Server.DisposeAsync();
            }
        }

        _stop.Dispose();
    }

    private sealed record Serving(string Uid, PodServer Server);
}
