using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Simulation;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The sandbox's real kubelet: pods with a container of a given image run as runc containers (a
/// <see cref="PodWorker"/> per pod uid); every other pod stays with the simulated workload controller and pod
/// servers. Its state (runc root, bundles, pod volumes and logs) lives under one directory per cluster instance,
/// so disposing the cluster kills exactly its own containers.
/// </summary>
public sealed class ContainerKubelet : IClusterController, IAsyncDisposable
{
    private readonly SandboxCluster _cluster;
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    private readonly bool _ownsState;
    private bool _disposed;

    public ContainerKubelet(SandboxCluster cluster)
    {
        _cluster = cluster;
        var options = cluster.Options;
        Images = new ImageStore(options.Images, options.ImageCacheDirectory);
        _ownsState = options.StateDirectory is null;
        StateDirectory = options.StateDirectory is { } state
            ? Path.GetFullPath(Path.Combine(state, cluster.Name))
            : Path.Combine(Path.GetTempPath(), "erie-canal-sandbox", "state", $"{cluster.Name}-{Guid.NewGuid():N}");

        // The runc root, bundles and pod directories belong to this instance alone, even when two sandboxes share a
        // state directory: only the persistent volumes are meant to be shared (and to outlive the instance).
        InstanceDirectory = Path.Combine(StateDirectory, "instances", Guid.NewGuid().ToString("N"));
        Runc = new Runc(Path.Combine(InstanceDirectory, "runc"));
        Services = options.PodClusterServices?.Invoke(cluster) ?? new ClusterPodServices(cluster);
        Events = new KubeletEvents(cluster.Store, NodeName);
    }

    public ImageStore Images { get; }

    public Runc Runc { get; }

    /// <summary>The seam to service-account tokens, the API's address and cluster DNS; replace before pods start.</summary>
    public IPodClusterServices Services { get; set; }

    public string StateDirectory { get; }

    /// <summary>This instance's runc root, bundles, pod volumes and logs; removed on dispose.</summary>
    public string InstanceDirectory { get; }

    public string PodsDirectory => Path.Combine(InstanceDirectory, "pods");

    public string BundlesDirectory => Path.Combine(InstanceDirectory, "bundles");

    /// <summary>Persistent volume claims' data: one directory per namespace and claim, kept across pod replacements.</summary>
    public string PersistentDirectory => Path.Combine(StateDirectory, "persistent");

    public string NodeName => $"{_cluster.Name}-node";

    public string ClusterName => _cluster.Name;

    public TimeSpan RestartBackoff => _cluster.Options.ContainerRestartBackoff;

    internal ObjectStore Store => _cluster.Store;

    internal KubeletEvents Events { get; }

    /// <summary>Whether this kubelet runs the pod (it names a given image), rather than the simulation.</summary>
    public bool Runs(JsonObject pod) => Images.References.Count > 0
        && new[] { "containers", "initContainers" }.SelectMany(k => pod["spec"]?[k] as JsonArray ?? [])
            .Any(c => Images.IsGiven(c?["image"]?.GetValue<string>()));

    /// <summary>
    /// The grace period a delete of this pod gets (the API server's rule for pods on a node), or null when it goes at
    /// once: a pod this kubelet does not run, a finished one, or gracePeriodSeconds 0.
    /// </summary>
    public long? DeletionGracePeriod(JsonObject pod, JsonObject? options)
    {
        if (!Runs(pod) || pod["status"]?["phase"]?.GetValue<string>() is "Succeeded" or "Failed")
        {
            return null;
        }

        var grace = JsonTree.GetInt64(options, "gracePeriodSeconds") ?? PodWorker.GracePeriod(pod);
        return grace <= 0 ? null : grace;
    }

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        if (e.StorageKey != "pods" || _disposed)
        {
            return;
        }

        var uid = e.Object["metadata"]?["uid"]?.GetValue<string>() ?? "";
        if (e.Type == StoreEventType.Deleted)
        {
            if (_workers.TryGetValue(uid, out var gone))
            {
                gone.ObjectRemoved();
            }

            return;
        }

        if (!_workers.TryGetValue(uid, out var worker))
        {
            if (!Runs(e.Object))
            {
                return;
            }

            if (e.Object["metadata"]?["deletionTimestamp"] is not null)
            {
                // Deleted before (or after) a worker ran it: no container runs, so the kubelet's final delete is due.
                RemoveUnlessHeld(e.Namespace, e.Name, uid);
                return;
            }

            worker = new PodWorker(this, e.Object);
            _workers[uid] = worker;
            worker.Start();
            _ = worker.Completion.ContinueWith(_ =>
            {
                _workers.TryRemove(uid, out var _);
                Events.Forget(uid);
            }, TaskScheduler.Default);
        }

        worker.Update(e.Object);
    }

    private void RemoveUnlessHeld(string ns, string name, string uid)
    {
        try
        {
            Store.Update("pods", ns, name, current =>
                current["metadata"]?["uid"]?.GetValue<string>() != uid || current["metadata"]?["finalizers"] is JsonArray { Count: > 0 } ? current : null);
        }
        catch (Api.ApiException ex) when (ex.Code == 404)
        {
        }
    }

    internal string AllocatePodIp() => _cluster.PodIps.Allocate();

    /// <summary>The worker of the pod with this uid, when this kubelet runs it.</summary>
    public PodWorker? Worker(string uid) => _workers.GetValueOrDefault(uid);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var worker in _workers.Values)
        {
            worker.Kill();
        }

        await Task.WhenAll(_workers.Values.Select(w => w.Completion)).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        if (Directory.Exists(Runc.Root))
        {
            // Whatever a worker could not stop: nothing of this sandbox may outlive it.
            foreach (var id in await Runc.ListAsync())
            {
                await Runc.KillAsync(id, "KILL", all: true);
                await Runc.DeleteAsync(id);
            }
        }

        await UnmountUnderAsync(InstanceDirectory);
        try
        {
            var directory = _ownsState ? StateDirectory : InstanceDirectory;
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"sandbox {_cluster.Name}: cannot remove {StateDirectory}: {ex.Message}");
        }
    }

    private static async Task UnmountUnderAsync(string directory)
    {
        if (!File.Exists("/proc/self/mountinfo"))
        {
            return;
        }

        var prefix = directory.TrimEnd('/') + "/";
        var mounted = (await File.ReadAllLinesAsync("/proc/self/mountinfo"))
            .Select(l => l.Split(' ')).Where(f => f.Length > 4).Select(f => f[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).OrderByDescending(p => p.Length).ToList();
        foreach (var path in mounted)
        {
            await ContainerInstance.UnmountAsync(path);
        }
    }
}
